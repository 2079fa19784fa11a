#ifndef SWITCHBOARD_CCURL_SHIM_H
#define SWITCHBOARD_CCURL_SHIM_H

#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic; Swift cannot call them. These typed
   wrappers pin the argument type for each family of options. */

static inline CURLcode sb_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode sb_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode sb_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode sb_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*sb_curl_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode sb_curl_setopt_data_callback(CURL *handle, CURLoption option, sb_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode sb_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/* CURLOPT_READFUNCTION has the same shape as the data callback: fill `data` with up to size * count
   bytes and return how many were written (0 at the end). */
static inline CURLcode sb_curl_setopt_read_callback(CURL *handle, sb_curl_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

typedef int (*sb_curl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *context);

/* CURLOPT_DEBUGFUNCTION; curl calls it only while CURLOPT_VERBOSE is 1. */
static inline CURLcode sb_curl_setopt_debug_callback(CURL *handle, sb_curl_debug_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, callback);
}

static inline CURLcode sb_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode sb_curl_getinfo_string(CURL *handle, CURLINFO info, const char **value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
