# bpfscope: one static library (lib db analyze probe viz reports) under one binary (cli).
BUILD    := build
CC       ?= gcc
PKGS     := libbpf libelf zlib sqlite3 capstone libgvc libcgraph
CFLAGS   ?= -g -O2
CFLAGS   += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. -I$(BUILD) \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -lelf -lz -lsqlite3 -lcapstone -lgvc -lcgraph) -lm -pthread
LIB_DIRS := lib db analyze probe viz reports
LIB_SRCS := $(wildcard $(addsuffix /*.c,$(LIB_DIRS)))
CLI_SRCS := $(wildcard cli/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
LIBA     := $(BUILD)/libbpfscope.a
BIN      := $(BUILD)/bpfscope
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps samples test demo clean fuzz bench stress check-env
all: $(BIN) $(UNIT_BINS)

$(BUILD)/config.h: scripts/configure.sh
	@mkdir -p $(BUILD)
	@sh scripts/configure.sh > $@.tmp && mv $@.tmp $@

# V=1 shows the commands
Q := $(if $(V),,@)
$(BUILD)/%.o: %.c $(BUILD)/config.h
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

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

fuzz: deps
	@bash tests/fuzz/run.sh $${FUZZ_SECONDS:-60}

bench: deps
	$(MAKE) all
	@bash bench/run.sh

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C samples clean

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)
