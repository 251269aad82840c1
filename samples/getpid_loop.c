/* Test helper: calls getpid() N times through syscall(2), so no libc caching can hide a call. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1;

	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
	return 0;
}
