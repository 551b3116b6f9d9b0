// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Loads every program of every BPF object named on the command line, one at
 * a time, and prints a TAP line for each: the kernel matrix runs it in each
 * guest to show which programs that kernel's verifier accepts.
 *
 * Each program gets an object of its own with only it set to load, so one
 * rejection does not hide the verdict on the others. A rejected program is
 * loaded again with the verifier log on, and the log's last lines are
 * printed as TAP comments: that is where the verifier says why.
 *
 *   load_progs OBJ...
 *
 * Prints "# loaded N of M programs" last; exits 0 when every program loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/libbpf.h>

/*
 * Kernels before 6.4 keep the start of the log and drop the rest when the
 * buffer fills, yet the reason for a rejection is at the end: give them all
 * they may take (UINT_MAX >> 2, their limit). mmap commits only what the
 * verifier writes.
 */
#define LOG_SIZE   ((size_t)(~0U >> 2))
#define TAIL_LINES 25

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static void print_tail(const char *log, size_t len)
{
	size_t i = len;
	int lines = 0;

	while (i > 0 && lines <= TAIL_LINES)
		if (log[--i] == '\n')
			lines++;
	if (log[i] == '\n')
		i++;
	while (i < len) {
		const char *nl = memchr(log + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (log + i)) : len - i;

		printf("#   %.*s\n", (int)n, log + i);
		i += n + 1;
	}
}

/* Open @path with only program @idx set to load; @log != NULL turns the log on. */
static int load_one(const char *path, int idx, char *log, const char **name, __u32 *insns)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog, *me = NULL;
	int i = 0, err;

	err = libbpf_get_error(obj);
	if (err)
		return err;
	bpf_object__for_each_program(prog, obj)
	{
		bpf_program__set_autoload(prog, i == idx);
		if (i++ == idx)
			me = prog;
	}
	if (!me) {
		bpf_object__close(obj);
		return -ENOENT;
	}
	if (log) {
		log[0] = '\0';
		bpf_program__set_log_buf(me, log, LOG_SIZE);
		bpf_program__set_log_level(me, 1);
	}
	err = bpf_object__load(obj);
	*name = strdup(bpf_program__name(me));
	*insns = bpf_program__insn_cnt(me);
	bpf_object__close(obj);
	return err;
}

static int count_progs(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	int n = 0;

	if (libbpf_get_error(obj))
		return -1;
	bpf_object__for_each_program(prog, obj) n++;
	bpf_object__close(obj);
	return n;
}

int main(int argc, char **argv)
{
	int tap = 0, loaded = 0, total = 0, a, i, n, err;
	char *log;

	if (argc < 2) {
		fprintf(stderr, "usage: load_progs OBJ...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(quiet);
	log = mmap(NULL, LOG_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (log == MAP_FAILED) {
		perror("load_progs: mmap of the verifier log buffer");
		return 1;
	}
	for (a = 1; a < argc; a++) {
		n = count_progs(argv[a]);
		if (n < 0) {
			printf("not ok %d - %s: cannot open the BPF object\n", ++tap, argv[a]);
			total++;
			continue;
		}
		for (i = 0; i < n; i++) {
			const char *name = NULL;
			__u32 insns = 0;

			total++;
			err = load_one(argv[a], i, NULL, &name, &insns);
			if (!err) {
				loaded++;
				printf("ok %d - %s: %s loads (%u instructions)\n", ++tap, argv[a],
				       name, insns);
				free((void *)name);
				continue;
			}
			printf("not ok %d - %s: %s is rejected: %s\n", ++tap, argv[a], name,
			       strerror(-err));
			free((void *)name);
			if (load_one(argv[a], i, log, &name, &insns) == 0) {
				printf("#   (it loaded with the log on: a flaky rejection)\n");
			} else {
				printf("#   the verifier's last lines:\n");
				print_tail(log, strnlen(log, LOG_SIZE));
			}
			free((void *)name);
		}
	}
	printf("# loaded %d of %d programs\n", loaded, total);
	printf("1..%d\n", tap);
	munmap(log, LOG_SIZE);
	return loaded == total && total > 0 ? 0 : 1;
}
