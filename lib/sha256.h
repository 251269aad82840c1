/* SHA-256 for content-addressed blobs (FIPS 180-4). None of the listed libraries offers it. */
#ifndef BPFSCOPE_SHA256_H
#define BPFSCOPE_SHA256_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
struct sha256 {
	uint32_t h[8];
	uint64_t total;
	uint8_t buf[64];
	size_t used;
	bool ni;		/* with the cpu's SHA instructions */
};
void sha256_init(struct sha256 *c);
/* without the SHA instructions: for tests that check one against the other */
void sha256_init_generic(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, uint8_t out[SHA256_LEN]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
#endif
