# bpfscope: one static library (lib store analyze capture act viz reports gen) under one binary (cli).
# SAN=1: everything built with ASan and UBSan into build-san/ (`make check-sanitize`)
SAN      ?=
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
BUILD    := $(if $(SAN),build-san,build)
CC       ?= gcc
PKGS     := libbpf libelf zlib sqlite3 capstone libgvc libcgraph libpq
CFLAGS   ?= -g -O2
CFLAGS   += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. -I$(BUILD) \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(if $(SAN),$(SAN_FLAGS))
# libbpf, libelf, sqlite and zlib are linked from their Debian -dev packages' static archives
# where present: resolving shared objects' relocations costs every run ~1 ms. capstone and
# graphviz are dlopen()ed by the JIT dump and the CFG renderer (analyze/capstone_dl.c,
# viz/gv_dl.c): capstone's tables alone cost 2 ms a run, graphviz's seven objects 1 ms.
# STATIC=0: shared libraries (still without capstone and graphviz).
STATIC   ?= 1
STATIC_LIBS := bpf elf sqlite3 z
LIBDIR   := $(shell $(CC) -print-multiarch 2>/dev/null | sed 's|^|/usr/lib/|')
HAVE_A   := $(if $(filter 1,$(STATIC)),$(foreach l,$(STATIC_LIBS),$(wildcard $(LIBDIR)/lib$(l).a)))
ifeq ($(words $(HAVE_A)),$(words $(STATIC_LIBS)))
LDLIBS   += -Wl,-Bstatic $(addprefix -l,$(STATIC_LIBS)) -Wl,-Bdynamic
else
LDLIBS   += $(shell pkg-config --libs libbpf libelf zlib sqlite3 2>/dev/null || echo -lbpf -lelf -lz -lsqlite3)
endif
# libpq (the fleet server) is dlopen()ed by store/pg_dl.c: linked, it and the libraries it
# needs cost every command ~30 ms; only its headers (pkg-config --cflags libpq) are used.
LDLIBS   += -ldl -lm -pthread
LIB_DIRS := lib store analyze capture act viz reports gen
LIB_SRCS := $(filter-out %.bpf.c,$(wildcard $(addsuffix /*.c,$(LIB_DIRS))))
CLI_SRCS := $(wildcard cli/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
LIBA     := $(BUILD)/libbpfscope.a
BIN      := $(BUILD)/bpfscope
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# test helpers that link the library (tests/helpers/loads_*.c, iter_*.c); outside build/tests, whose
# every file tests/run.sh runs as a unit test
HELPER_SRCS := $(wildcard tests/helpers/loads_*.c tests/helpers/iter_*.c)
HELPERS  := $(HELPER_SRCS:tests/helpers/%.c=$(BUILD)/helpers/%)

.PHONY: all deps samples test demo clean fuzz bench stress check-env
all: $(BIN) $(UNIT_BINS) $(HELPERS)

$(BUILD)/config.h: scripts/configure.sh
	@mkdir -p $(BUILD)
	@LIBBPF_LIBS='$(LDLIBS)' sh scripts/configure.sh > $@.tmp && mv $@.tmp $@

# V=1 shows the commands
Q := $(if $(V),,@)
$(BUILD)/%.o: %.c $(BUILD)/config.h
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# bpfscope's own BPF programs (capture/*.bpf.c): clang builds each into an object, which
# gen/tools/bin2c (a host tool) turns into a header of its bytes, so the binary carries them.
CLANG    ?= clang
BPF_CFLAGS := -g -O2 -target bpf -I/usr/include/$(shell uname -m)-linux-gnu -I. -Wall -Werror
$(BUILD)/tools/bin2c: gen/tools/bin2c.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  HOSTCC  $<")
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/%.bpf.o: %.bpf.c $(wildcard capture/iter_*.h capture/loads_*.h)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CLANG   $<")
	$(Q)$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(BUILD)/%.bpf.h: $(BUILD)/%.bpf.o $(BUILD)/tools/bin2c
	$(if $(Q),@echo "  BIN2C   $<")
	$(Q)$(BUILD)/tools/bin2c $(subst .,_,$(notdir $*))_bpf_obj < $< > $@.tmp && mv $@.tmp $@

$(BUILD)/capture/iter_load.o: $(BUILD)/capture/iter.bpf.h
$(BUILD)/capture/loads.o: $(BUILD)/capture/loads.bpf.h
.SECONDARY: $(BUILD)/capture/iter.bpf.o $(BUILD)/capture/loads.bpf.o

# The live views' and a new file's empty databases (store/schema_image.h), made by this
# build's own db_open (gen/tools/mkdbimage.c, linked without the images it makes) and carried
# as bytes.
IMAGE_TOOL_OBJS := $(filter-out $(BUILD)/store/schema_image.o,$(LIB_OBJS)) \
                   $(BUILD)/tools/schema_image_none.o
$(BUILD)/tools/schema_image_none.o: store/schema_image.c $(BUILD)/config.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -DDB_NO_IMAGE -c -o $@ $<

$(BUILD)/tools/mkdbimage: gen/tools/mkdbimage.c $(IMAGE_TOOL_OBJS)
	$(if $(Q),@echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(IMAGE_TOOL_OBJS) $(LDLIBS)

$(BUILD)/store/schema_image.bin.h: $(BUILD)/tools/mkdbimage $(BUILD)/tools/bin2c
	$(if $(Q),@echo "  GEN     $@")
	$(Q)$(BUILD)/tools/mkdbimage > $@.db && $(BUILD)/tools/mkdbimage file > $@.file.db && \
		$(BUILD)/tools/bin2c db_image_bytes < $@.db > $@.tmp && \
		$(BUILD)/tools/bin2c db_file_image_bytes < $@.file.db >> $@.tmp && \
		mv $@.tmp $@ && rm -f $@.db $@.file.db

$(BUILD)/store/schema_image.o: $(BUILD)/store/schema_image.bin.h

$(LIBA): $(LIB_OBJS)
	@rm -f $@
	$(if $(Q),@echo "  AR      $@")
	$(Q)ar rcs $@ $^

$(BIN): $(CLI_OBJS) $(LIBA)
	$(if $(Q),@echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $(CLI_OBJS) $(LIBA) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBA)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(BUILD)/helpers/%: tests/helpers/%.c $(LIBA)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

# The man pages and the bash completion, from the grammar the help commands print
# (cli/grammar.h), by a host program of their own (man/mkdocs.c).
HOSTCC   ?= cc
MKDOCS   := $(BUILD)/mkdocs
DOCS     := $(BUILD)/man/bpfscope.8 $(BUILD)/completion/bpfscope
all: $(DOCS)

$(MKDOCS): man/mkdocs.c cli/grammar.h store/db.h
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. \
		$(shell pkg-config --cflags sqlite3 2>/dev/null) -o $@ man/mkdocs.c

$(BUILD)/man/bpfscope.8: $(MKDOCS)
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(if $(Q),@echo "  GEN     $(dir $@)*.8")
	$(Q)$(MKDOCS) man $(dir $@)

$(BUILD)/completion/bpfscope: $(MKDOCS)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  GEN     $@")
	$(Q)$(MKDOCS) completion > $@.tmp && mv $@.tmp $@

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, its man pages and completion
PREFIX   ?= /usr/local
.PHONY: install
install: $(BIN) $(DOCS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/bpfscope
	install -m 0644 $(BUILD)/man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 $(BUILD)/completion/bpfscope \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/bpfscope

deps:
	@sh scripts/deps.sh

samples: $(BIN)
	$(MAKE) -C samples BPFSCOPE=$(CURDIR)/$(BIN)

test: deps
	$(MAKE) all
	$(MAKE) samples
	@bash tests/run.sh

demo: deps
	$(MAKE) all
	$(MAKE) samples
	@bash scripts/demo.sh

# The whole suite on the sanitized build: every ASan/UBSan report (tests/sanitize.sh collects
# them, whatever a test does with stderr) fails it.
.PHONY: check-sanitize
check-sanitize: deps
	$(MAKE) all
	$(MAKE) samples
	$(MAKE) SAN=1 all
	@bash tests/sanitize.sh

fuzz: deps
	@bash tests/fuzz/run.sh $${FUZZ_SECONDS:-60}

bench: deps
	$(MAKE) all
	@bash bench/run.sh

# the fault and race tests at full size and the resource bounds, with their figures
# (tests/stress.sh; docs/reliability.md)
stress: deps
	$(MAKE) all
	@bash tests/stress.sh

clean:
	rm -rf $(BUILD) build-san
	-$(MAKE) -C samples clean

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)
