/* Test helper for t_sock.sh: a packet socket (AF_PACKET, SOCK_RAW, ETH_P_IP) with a classic
 * BPF filter, held for SECONDS: the filter is tcpdump -ddd's output read from FILE, else
 * "udp dst port 0x1337" over IPv4, or with "magic" one that looks for BPFDoor's 0x5293.
 *   sock_filter SECONDS [dev IFNAME] [file FILE] [magic]
 * Prints "ready PID INO" once the filter is attached and the socket bound. */
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static struct sock_filter udp_1337[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 8),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x11, 0, 6),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x1337, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 262144),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

/* the shape of BPFDoor's: a TCP packet whose payload starts with the magic 0x5293 */
static struct sock_filter magic[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 3),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 54),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x5293, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

static int read_ddd(const char *path, struct sock_fprog *prog)
{
	FILE *f = fopen(path, "r");
	unsigned n, code, jt, jf, k;

	if (!f || fscanf(f, "%u", &n) != 1 || !n || n > 4096)
		return -1;
	prog->filter = calloc(n, sizeof(*prog->filter));
	prog->len = n;
	for (unsigned i = 0; i < n; i++) {
		if (fscanf(f, "%u %u %u %u", &code, &jt, &jf, &k) != 4)
			return -1;
		prog->filter[i] = (struct sock_filter){ code, jt, jf, k };
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct sock_fprog prog = { .len = sizeof(udp_1337) / sizeof(udp_1337[0]), .filter = udp_1337 };
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	struct stat st;
	int fd, secs;

	if (argc < 2)
		return 2;
	secs = atoi(argv[1]);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "dev") && i + 1 < argc) {
			sa.sll_ifindex = if_nametoindex(argv[++i]);
			if (!sa.sll_ifindex) {
				perror(argv[i]);
				return 1;
			}
		} else if (!strcmp(argv[i], "file") && i + 1 < argc) {
			if (read_ddd(argv[++i], &prog)) {
				fprintf(stderr, "can't read a filter from %s\n", argv[i]);
				return 1;
			}
		} else if (!strcmp(argv[i], "magic")) {
			prog.filter = magic;
			prog.len = sizeof(magic) / sizeof(magic[0]);
		} else {
			return 2;
		}
	}
	/* protocol 0 until bound: nothing arrives before the filter is in place */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || fstat(fd, &st)) {
		perror("packet socket");
		return 1;
	}
	printf("ready %d %lu\n", (int)getpid(), (unsigned long)st.st_ino);
	fflush(stdout);
	sleep(secs);
	return 0;
}
