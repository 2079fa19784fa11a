#ifndef SWITCHBOARD_COPENSSL_SHIM_H
#define SWITCHBOARD_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

/* EVP_sha256 and friends are functions, but the digest lengths are macros Swift cannot import. */

static inline int sb_hmac_sha256(const void *key, int key_length,
                                 const unsigned char *data, size_t data_length,
                                 unsigned char *out /* 32 bytes */) {
    unsigned int length = 0;
    return HMAC(EVP_sha256(), key, key_length, data, data_length, out, &length) != NULL && length == 32;
}

static inline int sb_hmac_sha1(const void *key, int key_length,
                               const unsigned char *data, size_t data_length,
                               unsigned char *out /* 20 bytes */) {
    unsigned int length = 0;
    return HMAC(EVP_sha1(), key, key_length, data, data_length, out, &length) != NULL && length == 20;
}

static inline int sb_sha256(const unsigned char *data, size_t data_length, unsigned char *out /* 32 bytes */) {
    unsigned int length = 0;
    return EVP_Digest(data, data_length, out, &length, EVP_sha256(), NULL) == 1 && length == 32;
}

static inline int sb_constant_time_equal(const void *a, const void *b, size_t length) {
    return CRYPTO_memcmp(a, b, length) == 0;
}

static inline int sb_random_bytes(unsigned char *out, int length) {
    return RAND_bytes(out, length) == 1;
}

#endif
