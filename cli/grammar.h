/* The command grammar, once: each object's help text is a macro here, printed by its help
 * command and read by man/mkdocs.c, which builds the man pages and the bash completion from
 * the same strings (tests/t_grammar.sh checks that the three agree). Macros only: the
 * generator is a host program that includes nothing else of the tree. */
#ifndef BPFSCOPE_GRAMMAR_H
#define BPFSCOPE_GRAMMAR_H

#define HELP_SPEC_PROGRAM "PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME | all }"
#define HELP_SPEC_MAP "MAP := { id MAP_ID | pinned FILE | name MAP_NAME | all }"
#define HELP_SPEC_OPTIONS \
	"OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-f|--bpffs} | --db PATH |\n" \
	"                   {-s|--snapshot} REF | --mount }"
#define HELP_SPEC_LINK "LINK := { id LINK_ID | pinned FILE }"
#define HELP_SPEC_REF "REF := { ID | latest | latest~N | LABEL }"

/* bpfscope help; db_path is the default database (store/db.h DB_DEFAULT_PATH) */
#define GRAMMAR_MAIN(db_path) \
	"Usage: bpfscope [OPTIONS] OBJECT { COMMAND | help }\n" \
	"       bpfscope batch file FILE\n" \
	"       bpfscope version\n" \
	"\n" \
	"       OBJECT := { prog | map | btf | link | net | cgroup | perf | sock | snapshot |\n" \
	"                   query | diff | audit | report | fleet | gen | replay | batch |\n" \
	"                   feature | struct_ops | iter | token | version }\n" \
	"       " HELP_SPEC_OPTIONS "\n" \
	"\n" \
	"Live commands read the running kernel; with -s REF they read a stored snapshot\n" \
	"from the database (--db PATH, else $BPFSCOPE_DB, else " db_path ").\n" \
	"Options may stand anywhere on the line, as bpftool's; \"--\" ends them.\n" \
	HELP_SPEC_REF "\n"

/* prog commands that attach to maps, run, trace and profile (cli/prog_ops.c, prog_run.c) */
#define GRAMMAR_PROG_OPS \
	"       bpfscope prog attach PROG ATTACH_TYPE [MAP]\n" \
	"       bpfscope prog detach PROG ATTACH_TYPE [MAP]\n" \
	"       bpfscope prog run PROG data_in FILE [data_out FILE [data_size_out L]]\n" \
	"                        [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] [repeat N]\n" \
	"       bpfscope prog profile PROG [duration DURATION] METRICs\n" \
	"       bpfscope prog tracelog\n" \
	"       bpfscope prog tracelog { stdout | stderr } PROG\n"

#define GRAMMAR_PROG \
	"Usage: bpfscope [-s REF] prog { show | list } [PROG]\n" \
	"       bpfscope [-s REF] prog dump xlated PROG [{ file FILE | opcodes | linum | visual }]\n" \
	"       bpfscope [-s REF] prog dump jited PROG [{ file FILE | opcodes | linum }]\n" \
	"       bpfscope [-s REF] prog cfg PROG [format {dot|svg|png|pdf}] [file FILE] [linum]\n" \
	"                        [function NAME] [split] [maxlines N] [--against REF]\n" \
	"       bpfscope [-s REF] prog history { PROG | identity IDENTITY }\n" \
	"       bpfscope prog pin PROG FILE\n" \
	"       bpfscope prog { load | loadall } OBJ PATH [type TYPE] [map {idx IDX | name NAME} MAP]\n" \
	"                        [pinmaps MAP_DIR] [autoattach]\n" \
	GRAMMAR_PROG_OPS \
	"       " HELP_SPEC_PROGRAM "\n" \
	"       " HELP_SPEC_MAP "\n" \
	"       ATTACH_TYPE := { sk_msg_verdict | sk_skb_verdict | sk_skb_stream_verdict |\n" \
	"                        sk_skb_stream_parser | flow_dissector }\n" \
	"       METRIC := { cycles | instructions | l1d_loads | llc_misses | itlb_misses |\n" \
	"                   dtlb_misses }\n" \
	"       " HELP_SPEC_OPTIONS "\n"
#define GRAMMAR_PROG_DUMP \
	"Usage: bpfscope prog dump xlated PROG [{ file FILE | [opcodes] [linum] [visual] }]\n" \
	"       bpfscope prog dump jited  PROG [{ file FILE | [opcodes] [linum] }]\n" \
	"       " HELP_SPEC_PROGRAM "\n" \
	"       " HELP_SPEC_OPTIONS "\n"
#define GRAMMAR_PROG_CFG \
	"Usage: bpfscope prog cfg PROG [format {dot|svg|png|pdf}] [file FILE] [linum]\n" \
	"                          [function NAME] [split] [maxlines N] [--against REF]\n" \
	"       bpfscope prog dump xlated PROG visual [linum]\n" \
	"       " HELP_SPEC_PROGRAM "\n" \
	"       " HELP_SPEC_OPTIONS "\n"

/* map commands that create maps and move queue, stack and perf-ring data (cli/map_ops.c) */
#define GRAMMAR_MAP_OPS \
	"       bpfscope map create FILE type TYPE key KEY_SIZE value VALUE_SIZE\n" \
	"                        entries MAX_ENTRIES name NAME [flags FLAGS]\n" \
	"                        [inner_map MAP] [offload_dev NAME]\n" \
	"       bpfscope map freeze MAP\n" \
	"       bpfscope map peek MAP\n" \
	"       bpfscope map push MAP value VALUE\n" \
	"       bpfscope map pop MAP\n" \
	"       bpfscope map enqueue MAP value VALUE\n" \
	"       bpfscope map dequeue MAP\n" \
	"       bpfscope map event_pipe MAP [cpu N index M]\n"
#define GRAMMAR_MAP_TYPES \
	"       TYPE := { hash | array | prog_array | perf_event_array | percpu_hash |\n" \
	"                 percpu_array | stack_trace | cgroup_array | lru_hash |\n" \
	"                 lru_percpu_hash | lpm_trie | array_of_maps | hash_of_maps |\n" \
	"                 devmap | devmap_hash | sockmap | cpumap | xskmap | sockhash |\n" \
	"                 cgroup_storage | reuseport_sockarray | percpu_cgroup_storage |\n" \
	"                 queue | stack | sk_storage | struct_ops | ringbuf | inode_storage |\n" \
	"                 task_storage | bloom_filter | user_ringbuf | cgrp_storage | arena }\n"

#define GRAMMAR_MAP \
	"Usage: bpfscope [-s REF] map { show | list } [MAP]\n" \
	"       bpfscope [-s REF] map dump MAP\n" \
	"       bpfscope map lookup MAP key DATA\n" \
	"       bpfscope map update MAP key DATA value VALUE [UPDATE_FLAGS]\n" \
	"       bpfscope map delete MAP key DATA\n" \
	"       bpfscope map getnext MAP [key DATA]\n" \
	"       bpfscope map pin MAP FILE\n" \
	"       bpfscope [-s REF] map history { MAP | identity IDENTITY }\n" \
	GRAMMAR_MAP_OPS \
	"       " HELP_SPEC_MAP "\n" \
	"       DATA := { [hex] BYTES }\n" \
	"       UPDATE_FLAGS := { any | exist | noexist }\n" \
	GRAMMAR_MAP_TYPES \
	"       " HELP_SPEC_OPTIONS "\n"

#define GRAMMAR_BTF \
	"Usage: bpfscope [-s REF] btf { show | list } [id BTF_ID]\n" \
	"       bpfscope [-s REF] btf dump BTF_SRC [format FORMAT [root_id TYPE_ID]]\n" \
	"       BTF_SRC := { id BTF_ID | prog PROG | map MAP | file FILE }\n" \
	"       FORMAT := { raw | c [unsorted] }\n"
#define GRAMMAR_BTF_DUMP \
	"Usage: bpfscope btf dump BTF_SRC [format FORMAT [root_id TYPE_ID]]\n" \
	"       BTF_SRC := { id BTF_ID | prog PROG | map MAP [{key | value | kv | all}] |\n" \
	"                    file FILE }\n" \
	"       " HELP_SPEC_PROGRAM "\n" \
	"       " HELP_SPEC_MAP "\n" \
	"       FORMAT  := { raw | c [unsorted] }\n" \
	"       " HELP_SPEC_OPTIONS "\n" \
	"       With -s REF, id/prog/map read the snapshot's stored BTF data.\n"

#define GRAMMAR_LINK \
	"Usage: bpfscope [-s REF] link { show | list } [LINK]\n" \
	"       bpfscope link pin LINK FILE\n" \
	"       bpfscope link detach LINK\n" \
	"       bpfscope link help\n" \
	"\n" \
	"       " HELP_SPEC_LINK "\n" \
	"       " HELP_SPEC_OPTIONS "\n" \
	"\n" \
	"With -f, show lists the paths each link is pinned at. pin and detach change the\n" \
	"live kernel: detach takes the program off its hook, and the link stays, defunct,\n" \
	"while something holds it.\n"

#define GRAMMAR_NET \
	"Usage: bpfscope net { show | list } [dev DEVNAME]\n" \
	"       bpfscope net attach ATTACH_TYPE PROG dev DEVNAME [ overwrite | prepend ] [ link ]\n" \
	"       bpfscope net detach ATTACH_TYPE dev DEVNAME\n" \
	"       bpfscope net help\n" \
	"\n" \
	"       " HELP_SPEC_PROGRAM "\n" \
	"       ATTACH_TYPE := { xdp | xdpgeneric | xdpdrv | xdpoffload | tcx_ingress |\n" \
	"                        tcx_egress }\n" \
	"       " HELP_SPEC_OPTIONS "\n" \
	"\n" \
	"Shows xdp, tc (clsact filters, tcx and netkit chains), flow_dissector and\n" \
	"netfilter attachments of the current network namespace, live or from a\n" \
	"snapshot (-s REF). For programs attached to cgroups, use \"bpfscope cgroup\".\n"

#define GRAMMAR_CGROUP \
	"Usage: bpfscope cgroup { show | list } CGROUP [effective]\n" \
	"       bpfscope cgroup tree [CGROUP_ROOT] [effective]\n" \
	"       bpfscope cgroup attach CGROUP ATTACH_TYPE PROG [ATTACH_FLAGS]\n" \
	"       bpfscope cgroup detach CGROUP ATTACH_TYPE PROG\n" \
	"       bpfscope cgroup help\n" \
	"\n" \
	"       ATTACH_TYPE := { cgroup_inet_ingress | cgroup_inet_egress |\n" \
	"                        cgroup_inet_sock_create | cgroup_sock_ops |\n" \
	"                        cgroup_device | cgroup_inet4_bind |\n" \
	"                        cgroup_inet6_bind | cgroup_inet4_post_bind |\n" \
	"                        cgroup_inet6_post_bind | cgroup_inet4_connect |\n" \
	"                        cgroup_inet6_connect | cgroup_unix_connect |\n" \
	"                        cgroup_inet4_getpeername | cgroup_inet6_getpeername |\n" \
	"                        cgroup_unix_getpeername | cgroup_inet4_getsockname |\n" \
	"                        cgroup_inet6_getsockname | cgroup_unix_getsockname |\n" \
	"                        cgroup_udp4_sendmsg | cgroup_udp6_sendmsg |\n" \
	"                        cgroup_unix_sendmsg | cgroup_udp4_recvmsg |\n" \
	"                        cgroup_udp6_recvmsg | cgroup_unix_recvmsg |\n" \
	"                        cgroup_sysctl | cgroup_getsockopt |\n" \
	"                        cgroup_setsockopt | cgroup_inet_sock_release }\n" \
	"       ATTACH_FLAGS := { multi | override }\n" \
	"       " HELP_SPEC_PROGRAM "\n" \
	"       " HELP_SPEC_OPTIONS "\n" \
	"\n" \
	"Programs attached to each cgroup v2 directory, live or from a snapshot (-s REF);\n" \
	"'effective': the set that runs, computed from the cgroup's and its ancestors'.\n" \
	"CGROUP_ROOT defaults to the cgroup2 mount. attach and detach change the live\n" \
	"kernel; ATTACH_TYPE also takes bpftool's short names (ingress, egress, sock_create,\n" \
	"sock_ops, device, bind4, connect6, sendmsg4, sysctl, getsockopt, ...) and a\n" \
	"unique prefix of one.\n"

#define GRAMMAR_PERF \
	"Usage: bpfscope perf { show | list }\n" \
	"       bpfscope perf help\n" \
	"\n" \
	"       " HELP_SPEC_OPTIONS "\n" \
	"\n" \
	"Programs attached through perf events and raw tracepoints, per process and fd,\n" \
	"live or from a snapshot (-s REF).\n"

#define GRAMMAR_SOCK \
	"Usage: bpfscope [-s REF] sock { show | list } [all] [SOCK]\n" \
	"       bpfscope [-s REF] sock dump [SOCK]\n" \
	"       bpfscope sock help\n" \
	"\n" \
	"       SOCK := { ino INODE | pid PID }\n" \
	"       " HELP_SPEC_OPTIONS "\n" \
	"\n" \
	"Packet sockets with a classic BPF filter (SO_ATTACH_FILTER: no BPF id, bpftool does\n" \
	"not list them), in every network namespace a process is in, with the processes\n" \
	"holding them, live or from a snapshot (-s REF); 'all' adds those without a filter.\n" \
	"dump disassembles each filter as tcpdump -d does.\n"

#define GRAMMAR_SNAPSHOT \
	"Usage: bpfscope snapshot take [label LABEL] [maps-data] [stats [SECONDS]] [no-code] [views]\n" \
	"       bpfscope snapshot { list | show [REF] | delete REF }\n" \
	"       bpfscope snapshot watch [interval SECS] [count N] [maps-data] [loads]\n" \
	"                [push CONNINFO [host NAME]]\n" \
	"       " HELP_SPEC_REF "\n"

/* query has no help command (its one argument is SQL, "help" included): man and completion */
#define GRAMMAR_QUERY \
	"Usage: bpfscope query SQL [{ csv | json }]\n" \
	"       bpfscope query help\n"

#define GRAMMAR_GEN \
	"Usage: bpfscope gen object OUTPUT_FILE INPUT_FILE [INPUT_FILE...]\n" \
	"       bpfscope gen skeleton FILE [name OBJECT_NAME]\n" \
	"       bpfscope gen subskeleton FILE [name OBJECT_NAME]\n" \
	"       bpfscope gen min_core_btf INPUT OUTPUT OBJECT [OBJECT...]\n" \
	"       bpfscope gen help\n" \
	"\n" \
	"       The header is for libbpf's skeleton API (1.1): OBJECT_NAME__open,\n" \
	"       __open_opts, __load, __open_and_load, __attach, __detach, __destroy,\n" \
	"       __elf_bytes. OBJECT_NAME defaults to FILE's name without \".o\".\n" \
	"       object links BPF objects into one (libbpf's BPF linker). subskeleton\n" \
	"       writes OBJECT_NAME__open(obj) for a BPF library linked into obj.\n" \
	"       min_core_btf writes to OUTPUT the part of INPUT's BTF that the\n" \
	"       OBJECTs' CO-RE relocations use (for libbpf's btf_custom_path).\n" \
	"       " HELP_SPEC_OPTIONS "\n"

#define GRAMMAR_REPLAY \
	"Usage: bpfscope replay OBJ [pin DIR] [autoattach] [dev IFNAME] [restore REF] [dry-run]\n" \
	"       bpfscope replay REF [objects DIR] [dry-run]\n" \
	"       " HELP_SPEC_REF "\n"

#define GRAMMAR_DIFF \
	"Usage: bpfscope diff A [B] [{ progs | maps | links | attachments | pins | btf | sockets |\n" \
	"                            all }]\n" \
	"                     [code] [contents] [stats]\n" \
	"       bpfscope diff help\n" \
	"       A, B := { REF | live }    (B defaults to live)\n" \
	"       " HELP_SPEC_REF "\n" \
	"\n" \
	"Objects are compared by identity, never by kernel id (docs/diff.md). Exit status:\n" \
	"0 when equal, 1 when different, 2 on error.\n"
#define GRAMMAR_AUDIT \
	"Usage: bpfscope audit [{ REF | live }] [baseline REF] [rules FILE] [severity LEVEL]\n" \
	"       bpfscope audit help\n" \
	"       LEVEL := { info | low | medium | high }\n" \
	"       " HELP_SPEC_REF "\n" \
	"\n" \
	"Findings (docs/audit.md): helpers that write user memory, signal or override returns,\n" \
	"attach points used for hiding and theft, programs held only by their attachment,\n" \
	"classic BPF filters on packet sockets, the BPF posture, what is new since the\n" \
	"baseline. Exit status: 0 when nothing is at or above LEVEL (default medium), 1 when\n" \
	"something is, 2 on error.\n"
#define GRAMMAR_REPORT \
	"Usage: bpfscope report [{ REF | live }] [{ file FILE | dir DIR }]\n" \
	"       bpfscope report diff A B [file FILE]\n" \
	"       bpfscope report help\n" \
	"       " HELP_SPEC_REF "\n" \
	"\n" \
	"One self-contained HTML page (docs/reports.md): the audit's findings, the tables,\n" \
	"each program's code and CFG, the history; or the diff of A and B. REF defaults to\n" \
	"latest; without file the page goes to standard output; dir writes an index page and a\n" \
	"page per program (files 0600) into a new directory or a report of ours.\n"
#define GRAMMAR_FLEET \
	"Usage: bpfscope fleet init CONNINFO\n" \
	"       bpfscope [--db PATH] fleet push CONNINFO [host NAME]\n" \
	"       bpfscope fleet hosts CONNINFO\n" \
	"       bpfscope fleet query CONNINFO SQL [{ csv | json }]\n" \
	"       bpfscope --db PATH fleet pull CONNINFO host NAME [snapshot REF]\n" \
	"       bpfscope fleet diff CONNINFO HOST[:REF] HOST[:REF]\n" \
	"                      [{ progs | maps | links | attachments | pins | btf | all }]\n" \
	"       bpfscope fleet help\n" \
	"       CONNINFO := libpq's \"host=DIR dbname=NAME user=USER\" or postgresql://...\n" \
	"       " HELP_SPEC_REF "\n" \
	"\n" \
	"Many hosts' snapshot histories in one PostgreSQL database (docs/fleet.md). push ships\n" \
	"the snapshots the server lacks, one transaction each; query is read-only; pull brings\n" \
	"a host back into a new local file; diff compares two hosts' snapshots (latest by\n" \
	"default) as diff does. Exit status: 0, 1 when diff finds differences, 2 on error.\n"
#define GRAMMAR_BATCH \
	"Usage: bpfscope batch file FILE\n" \
	"       bpfscope batch help\n" \
	"\n" \
	"       " HELP_SPEC_OPTIONS "\n" \
	"\n" \
	"Runs the commands of FILE (-: standard input), one a line, each OBJECT COMMAND ...\n" \
	"as after bpfscope [OPTIONS], with the options given to batch. '#' starts a comment,\n" \
	"a word in single or double quotes may hold blanks, and a line that ends in a\n" \
	"backslash goes on on the next. The first command that fails ends the batch; an\n" \
	"error in the file names the command by how many ran before it. With -j the output\n" \
	"is one array of {\"command\": [words], \"output\": what the command printed}.\n"

#define GRAMMAR_FEATURE \
	"Usage: bpfscope [-s REF] feature probe [COMPONENT] [full] [unprivileged]\n" \
	"                        [macros [prefix PREFIX]]\n" \
	"       bpfscope feature list_builtins GROUP\n" \
	"       bpfscope feature help\n" \
	"\n" \
	"       COMPONENT := { kernel | dev NAME }\n" \
	"       GROUP := { prog_types | map_types | attach_types | link_types | helpers }\n" \
	"       " HELP_SPEC_OPTIONS "\n" \
	"\n" \
	"probe loads throwaway programs and maps to learn what the kernel accepts, as\n" \
	"bpftool's; every snapshot stores the probe of its boot, so -s REF answers from it\n" \
	"and diff reports the features that changed.\n"

#define GRAMMAR_STRUCT_OPS \
	"Usage: bpfscope [-s REF] struct_ops { show | list } [STRUCT_OPS_MAP]\n" \
	"       bpfscope [-s REF] struct_ops dump [STRUCT_OPS_MAP]\n" \
	"       bpfscope struct_ops register OBJ [LINK_DIR]\n" \
	"       bpfscope struct_ops unregister STRUCT_OPS_MAP\n" \
	"       bpfscope struct_ops help\n" \
	"\n" \
	"       STRUCT_OPS_MAP := [ id STRUCT_OPS_MAP_ID | name STRUCT_OPS_MAP_NAME ]\n" \
	"       " HELP_SPEC_OPTIONS "\n" \
	"\n" \
	"register and unregister change the live kernel: a registered map (a TCP congestion\n" \
	"control, say) stays after bpfscope exits, until unregistered.\n"

#define GRAMMAR_ITER \
	"Usage: bpfscope iter pin OBJ PATH [map MAP]\n" \
	"       bpfscope iter help\n" \
	"\n" \
	"       " HELP_SPEC_MAP "\n" \
	"       " HELP_SPEC_OPTIONS "\n" \
	"\n" \
	"pin loads OBJ, attaches its first program as a BPF iterator (over MAP's elements\n" \
	"when given) and pins the iterator's link at PATH; reading PATH runs it.\n"
#define GRAMMAR_TOKEN \
	"Usage: bpfscope [-s REF] token { show | list }\n" \
	"       bpfscope token help\n" \
	"       " HELP_SPEC_OPTIONS "\n" \
	"\n" \
	"Lists the bpffs mounts that delegate BPF commands, maps, programs and attach types\n" \
	"(delegate_* mount options: BPF tokens), as bpftool token show; -s REF: the ones a\n" \
	"snapshot saw.\n"

/* version has no help command: man and completion */
#define GRAMMAR_VERSION \
	"Usage: bpfscope version\n"

/* Every OBJECT of cli/main.c's table: X(name, help text, further help texts of its commands
 * (their keywords complete too), what the man page's NAME line says). */
#define GRAMMAR_OBJECTS(X) \
	X(prog, GRAMMAR_PROG, GRAMMAR_PROG_DUMP GRAMMAR_PROG_CFG, \
	  "BPF programs: show, dump (xlated, jited), control flow graphs, load and pin") \
	X(map, GRAMMAR_MAP, "", "BPF maps: show, dump, lookup, update, delete and pin") \
	X(btf, GRAMMAR_BTF, GRAMMAR_BTF_DUMP, "BTF objects: show and dump (raw or as C)") \
	X(link, GRAMMAR_LINK, "", "BPF links: show, pin and detach") \
	X(net, GRAMMAR_NET, "", "network attachments: show, attach and detach") \
	X(cgroup, GRAMMAR_CGROUP, "", "programs attached to cgroups: show, tree, attach and detach") \
	X(perf, GRAMMAR_PERF, "", "programs attached to perf events and raw tracepoints") \
	X(sock, GRAMMAR_SOCK, "", "packet sockets and their classic BPF filters: show and dump") \
	X(snapshot, GRAMMAR_SNAPSHOT, "", "stored snapshots of the BPF state: take, list, show, delete") \
	X(query, GRAMMAR_QUERY, "", "read-only SQL over the snapshot history") \
	X(gen, GRAMMAR_GEN, "", "generate libbpf skeletons, link BPF objects, minimize CO-RE BTF") \
	X(replay, GRAMMAR_REPLAY, "", "load an object or rebuild a snapshot's pinned state") \
	X(diff, GRAMMAR_DIFF, "", "compare two snapshots, or a snapshot and the live kernel") \
	X(audit, GRAMMAR_AUDIT, "", "what an attacker would load or hide, in a snapshot or live") \
	X(report, GRAMMAR_REPORT, "", "a self-contained HTML page of a snapshot or a diff") \
	X(fleet, GRAMMAR_FLEET, "", "many hosts' histories in one PostgreSQL database") \
	X(batch, GRAMMAR_BATCH, "", "run commands from a file, one a line") \
	X(feature, GRAMMAR_FEATURE, "", "the kernel's BPF features: probe, and the names bpfscope knows") \
	X(struct_ops, GRAMMAR_STRUCT_OPS, "", "struct_ops maps: show, dump, register and unregister") \
	X(iter, GRAMMAR_ITER, "", "BPF iterators: load one and pin its link") \
	X(token, GRAMMAR_TOKEN, "", "bpffs mounts that delegate BPF to user namespaces (tokens)") \
	X(version, GRAMMAR_VERSION, "", "the version of bpfscope and of its libraries")

/* Longer words for the man pages' DESCRIPTION (help prints the shorter text above). */
#define MAN_DESC_MAIN \
	"bpfscope records the eBPF state of Linux (programs, maps, BTF, links and their " \
	"attachments) into SQLite snapshots and reads it back with bpftool's words. Every " \
	"reading command works on the running kernel, or with -s REF on a stored snapshot."
#define MAN_DESC_prog \
	"show lists programs with their type, tag, load time, maps and owners. dump xlated " \
	"prints the translated instructions (opcodes: their bytes; linum: source lines; visual: " \
	"the control flow graph), dump jited the JIT image. cfg renders the control flow graph " \
	"as DOT, SVG, PNG or PDF, per function or split into files; --against REF marks what " \
	"changed since a stored snapshot. pin, load and loadall change the kernel."
#define MAN_DESC_map \
	"show lists maps; dump prints their contents (from a snapshot taken with maps-data). " \
	"lookup, update, delete, getnext and pin work on the live kernel only."
#define MAN_DESC_btf \
	"show lists BTF objects with the programs and maps using them; dump prints one, raw " \
	"or as C, from the kernel, a file, or a snapshot's stored data."
#define MAN_DESC_link \
	"show lists links with their program, attach type and target (-f: and their pins). " \
	"pin and detach work on the live kernel only."
#define MAN_DESC_net \
	"show lists the network attachments of the current namespace; attach and detach " \
	"change them."
#define MAN_DESC_cgroup ""
#define MAN_DESC_perf ""
#define MAN_DESC_sock \
	"show lists packet sockets (AF_PACKET) that carry a classic BPF filter, the technique " \
	"of the BPFDoor backdoor, with their protocol, interface, inode, instruction count and " \
	"the processes holding them, as ss -0 -b -p does; dump prints each filter's " \
	"instructions in tcpdump -d's notation. Classic filters on other sockets are not " \
	"reported by the kernel's sock_diag and are not shown."
#define MAN_DESC_snapshot \
	"take records the BPF state into the database (label names it; maps-data stores map " \
	"contents; stats samples run time and counts for SECONDS; no-code skips instructions; " \
	"views adds the BPF symbols of /proc/kallsyms as a view for the audit). " \
	"list and show print stored snapshots, delete removes one."
#define MAN_DESC_query \
	"Runs one read-only SQL statement over the whole history database and prints its " \
	"rows as a table, CSV or JSON."
#define MAN_DESC_gen ""
#define MAN_DESC_replay \
	"Loads an object file as its sections say (restoring map contents from a snapshot), " \
	"or rebuilds a snapshot's pinned state from object files; prints what was restored, " \
	"what was skipped, and why. dry-run changes nothing."
#define MAN_DESC_diff \
	"diff compares snapshot A with snapshot B (or the live kernel) object by object, by " \
	"identity: a program is its type, full name and attach point, so the same code " \
	"reloaded is no change. One line per change: + added, - removed, ~ changed."
#define MAN_DESC_batch \
	"Runs many commands in one process, as bpftool batch does: the same words, quoting " \
	"and comments, and with -j the same array of commands and outputs."
#define MAN_DESC_audit \
	"audit reads one snapshot (or the live kernel) and lists findings by severity: rule, " \
	"object, owner and one line of evidence. It runs on a copied snapshot without root."
#define MAN_DESC_report \
	"report writes one HTML page that opens offline in any browser: findings first, then " \
	"sortable tables, each program's xlated code and control-flow graph, and plots."
#define MAN_DESC_fleet \
	"init creates or migrates the server schema (the local tables with a host column, " \
	"blobs shared by all hosts); push ships the local snapshots the server does not hold, " \
	"idempotently; hosts lists each host's snapshots; query runs one statement in a " \
	"read-only transaction; pull copies a host's snapshots into a new local file; diff " \
	"compares two hosts' snapshots."
#define MAN_DESC_feature \
	"probe lists the program types, map types and helpers the kernel accepts, its ISA " \
	"extensions, BPF sysctls and kernel config, as bpftool feature probe does (macros: as " \
	"C defines); with -s REF, the probe stored with the snapshot's boot. list_builtins " \
	"prints the names of a GROUP."
#define MAN_DESC_struct_ops \
	"show lists the maps of type struct_ops with the kernel struct each implements, live " \
	"or from a snapshot (-s REF); dump prints each map's bpf_map_info and value (its " \
	"programs in the function slots, its state) through the kernel's BTF, live or as a " \
	"snapshot read it; register loads an object and registers its struct_ops " \
	"maps; unregister deletes a map's registration."
#define MAN_DESC_iter ""
#define MAN_DESC_token ""
#define MAN_DESC_version "Prints the versions and the features compiled in (-j: as JSON)."
#endif
