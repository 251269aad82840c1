/* Fuzz the netlink attribute parser: whatever bytes come back from a socket, parsing them
 * (and the nested attributes they claim to hold) must stay inside the buffer.
 * Build: clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_netlink.c
 *        capture/netlink.c lib/err.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "capture/netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlattr *tb[33], *nested[33];
	uint8_t *copy = malloc(size ? size : 1);	/* exact size: ASan sees any overread */
	char s[16];

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (nla_parse_buf(tb, 32, copy, size) == 0) {
		for (int i = 0; i <= 32; i++) {
			if (!tb[i])
				continue;
			(void)nla_u32(tb[i]);
			(void)nla_u8(tb[i]);
			nla_str(tb[i], s, sizeof(s));
			if (nla_parse_nested_attr(nested, 32, tb[i]) == 0)
				for (int j = 0; j <= 32; j++)
					if (nested[j])
						(void)nla_u32(nested[j]);
		}
	}
	free(copy);
	return 0;
}
