/* audit test binary: a function for a uprobe to sit on. */
#include <stdio.h>

__attribute__((noinline)) int audit_secret_fn(int x)
{
	return x * 3 + 1;
}

int main(void)
{
	printf("%d\n", audit_secret_fn(2));
	return 0;
}
