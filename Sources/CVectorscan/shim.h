#ifndef SWITCHBOARD_CVECTORSCAN_SHIM_H
#define SWITCHBOARD_CVECTORSCAN_SHIM_H

#include <hs.h>

/* Flags and return codes are macros; these make them visible to Swift with their C types. */
static const unsigned int SB_HS_FLAG_CASELESS = HS_FLAG_CASELESS;
static const unsigned int SB_HS_FLAG_DOTALL = HS_FLAG_DOTALL;
static const unsigned int SB_HS_FLAG_UTF8 = HS_FLAG_UTF8;
static const unsigned int SB_HS_FLAG_UCP = HS_FLAG_UCP;
static const unsigned int SB_HS_FLAG_SOM_LEFTMOST = HS_FLAG_SOM_LEFTMOST;
static const unsigned int SB_HS_FLAG_SINGLEMATCH = HS_FLAG_SINGLEMATCH;
static const unsigned int SB_HS_MODE_BLOCK = HS_MODE_BLOCK;
static const unsigned int SB_HS_MODE_SOM_HORIZON_LARGE = HS_MODE_SOM_HORIZON_LARGE;
static const int SB_HS_SUCCESS = HS_SUCCESS;

#endif
