/* What a snapshot captured, as the mask bits stored in snapshots.mask. The store owns them:
 * its views and snapshot_delete name some of them in SQL, spelled here once as text too. */
#ifndef BPFSCOPE_SNAP_MASK_H
#define BPFSCOPE_SNAP_MASK_H

/* what to fetch beyond the info structs (a live `prog show` pays for none of it) */
#define SNAP_CODE	(1u << 0)	/* xlated, jited, func/line info, jited ksyms, kernel symbols */
#define SNAP_MAPS_DATA	(1u << 1)	/* every map's contents */
#define SNAP_BTF_DATA	(1u << 2)	/* raw BTF of every BTF object */
#define SNAP_STATS	(1u << 3)	/* turn on run-time stats for an interval */
#define SNAP_PINS	(1u << 4)	/* walk bpffs for pins */
#define SNAP_ATTACH	(1u << 5)	/* netlink/cgroup/perf attachments */
#define SNAP_OWNERS	(1u << 6)	/* the processes holding each object (bpftool's pids) */
#define SNAP_SOCK	(1u << 7)	/* packet sockets and their classic BPF filters (sock_diag) */
/* live views leave out what they do not print */
#define SNAP_NO_PROGS	(1u << 8)
#define SNAP_NO_MAPS	(1u << 9)
#define SNAP_NO_BTF	(1u << 10)
/* the audit's cross-views beyond the program iterator's (which every snapshot into a file
 * takes): the BPF symbols of /proc/kallsyms, whose BPF part the kernel makes in time
 * quadratic in the number of programs */
#define SNAP_VIEWS	(1u << 11)
/* parts of SNAP_ATTACH left out */
#define SNAP_ATTACH_NO_NET	(1u << 20)	/* XDP, tc, tcx, netkit, flow dissector */
#define SNAP_ATTACH_NO_CGROUP	(1u << 21)
#define SNAP_ATTACH_NO_PERF	(1u << 22)
#define SNAP_DEFAULT	(SNAP_CODE | SNAP_BTF_DATA | SNAP_PINS | SNAP_ATTACH | SNAP_OWNERS | \
			 SNAP_SOCK)

/* The same bits as SQL text, for the statements that test them (checked in store/writer.c) */
#define SNAP_CODE_SQL		"1"
#define SNAP_PINS_SQL		"16"
#define SNAP_ATTACH_SQL		"32"
#define SNAP_NO_PROGS_SQL	"256"
#define SNAP_NO_MAPS_SQL	"512"
#define SNAP_ATTACH_NO_CGROUP_SQL "2097152"
#endif
