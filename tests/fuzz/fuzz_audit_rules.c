/* Fuzz the audit's rules file parser (analyze/audit_rules.c) and the findings' allowlists:
 * any bytes parse or fail with a message, never read out of bounds or leak. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "analyze/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_rules r;
	struct err e = { 0 };
	struct audit_findings f = { 0 };

	if (audit_rules_parse((const char *)data, size, &r, &e))
		return 0;
	/* a finding through the parsed allowlists and overrides */
	f.v = calloc(1, sizeof(*f.v));
	if (!f.v)
		goto out;
	f.n = f.cap = 1;
	f.v[0] = (struct audit_finding){ .rule = "attach.secrets", .sev = SEV_HIGH, .kind = "prog",
		.id = 1, .pid = -1 };
	f.v[0].name = strdup("n");
	f.v[0].identity = strdup("prog:kprobe:n@/x");
	f.v[0].comm = strdup("c");
	f.v[0].evidence = strdup("e");
	f.v[0].path = strdup("/x");
	audit_finish(&f, &r, NULL);
	audit_findings_free(&f);
out:
	audit_rules_free(&r);
	return 0;
}
