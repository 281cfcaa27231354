/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-call cost of a short-lived tool, kmod's and ours side by side in one run.
 *
 * Usage: percall ROUNDS CALLFILE KMOD_TOOL OUR_TOOL
 *
 * Every line of CALLFILE is one call: the tool's arguments separated by blanks (no quoting; the
 * corpus paths have no blanks). Each round spawns both tools once per line, alternating which
 * goes first, so that drift in the machine's load hits both alike. A call is timed from
 * posix_spawn to waitpid (wall clock): exec, dynamic linking, the tool's work and exit, which
 * is what the kernel's request_module or a udev rule pays per call. No shell sits in between,
 * so the fixed cost of starting a process stays as small as the system allows.
 *
 * stdout and stderr go to /dev/null; the environment is passed on unchanged (LD_PRELOAD of the
 * test shim reaches both tools alike). Both tools must exit with the same status for every line,
 * else the run fails: a faster tool that answers differently measures nothing.
 *
 * Prints one line: the median over rounds of the mean wall time per call, for kmod and ours, in
 * milliseconds, and their ratio; then the same for CPU time (user + system of the child, from
 * wait4), which a busy machine disturbs less than wall time:
 *   kmod_ms=<x> ours_ms=<y> ratio=<y/x> kmod_cpu_ms=<a> ours_cpu_ms=<b> cpu_ratio=<b/a>
 *   calls=<lines> rounds=<n>
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_ARGS 32

struct call {
	char *argv[MAX_ARGS + 2]; /* argv[0] is the tool, filled per spawn */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/*
 * Run one call; its wall time goes to *secs, its CPU time to *cpu. Returns the exit status, or
 * -1 if it did not run.
 */
static int run(const char *tool, struct call *c, const posix_spawn_file_actions_t *fa, double *secs,
	       double *cpu)
{
	struct rusage ru;
	pid_t pid;
	int status;
	double t0 = now_s();

	c->argv[0] = (char *)tool;
	if (posix_spawn(&pid, tool, fa, NULL, c->argv, environ) != 0)
		return -1;
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	*secs = now_s() - t0;
	*cpu = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static size_t read_calls(const char *file, struct call **ret)
{
	FILE *f = fopen(file, "re");
	struct call *calls = NULL;
	size_t n = 0;
	char *line = NULL;
	size_t cap = 0;

	if (!f) {
		fprintf(stderr, "percall: %s: %s\n", file, strerror(errno));
		exit(2);
	}
	while (getline(&line, &cap, f) > 0) {
		struct call c = {0};
		size_t argc = 1;
		char *save = NULL;

		for (char *w = strtok_r(line, " \t\n", &save); w;
		     w = strtok_r(NULL, " \t\n", &save)) {
			if (argc > MAX_ARGS) {
				fprintf(stderr, "percall: %s: more than %d arguments\n", file,
					MAX_ARGS);
				exit(2);
			}
			c.argv[argc++] = strdup(w);
		}
		if (argc == 1)
			continue;
		calls = realloc(calls, (n + 1) * sizeof(*calls));
		if (!calls)
			abort();
		calls[n++] = c;
	}
	free(line);
	fclose(f);
	*ret = calls;
	return n;
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	struct call *calls;
	double *kmod_round, *ours_round, *kmod_cpu, *ours_cpu;
	size_t n, rounds;

	if (argc != 5) {
		fprintf(stderr, "usage: percall ROUNDS CALLFILE KMOD_TOOL OUR_TOOL\n");
		return 2;
	}
	rounds = strtoul(argv[1], NULL, 10);
	n = read_calls(argv[2], &calls);
	if (rounds == 0 || n == 0) {
		fprintf(stderr, "percall: no rounds or no calls\n");
		return 2;
	}
	kmod_round = calloc(rounds, sizeof(double));
	ours_round = calloc(rounds, sizeof(double));
	kmod_cpu = calloc(rounds, sizeof(double));
	ours_cpu = calloc(rounds, sizeof(double));
	if (!kmod_round || !ours_round || !kmod_cpu || !ours_cpu)
		abort();
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);

	for (size_t r = 0; r < rounds; r++) {
		for (size_t i = 0; i < n; i++) {
			const char *tools[2] = {argv[3], argv[4]};
			double t[2], cpu[2];
			int st[2];
			int first = (int)((r + i) % 2);

			st[first] = run(tools[first], &calls[i], &fa, &t[first], &cpu[first]);
			st[!first] = run(tools[!first], &calls[i], &fa, &t[!first], &cpu[!first]);
			if (st[0] < 0 || st[1] < 0 || st[0] != st[1]) {
				fprintf(stderr,
					"percall: exit status differs (kmod %d, ours %d):", st[0],
					st[1]);
				for (char **a = calls[i].argv + 1; *a; a++)
					fprintf(stderr, " %s", *a);
				fputc('\n', stderr);
				return 1;
			}
			kmod_round[r] += t[0];
			ours_round[r] += t[1];
			kmod_cpu[r] += cpu[0];
			ours_cpu[r] += cpu[1];
		}
	}
	double k = median(kmod_round, rounds) / (double)n * 1e3;
	double o = median(ours_round, rounds) / (double)n * 1e3;

	double kc = median(kmod_cpu, rounds) / (double)n * 1e3;
	double oc = median(ours_cpu, rounds) / (double)n * 1e3;

	printf("kmod_ms=%.3f ours_ms=%.3f ratio=%.2f kmod_cpu_ms=%.3f ours_cpu_ms=%.3f "
	       "cpu_ratio=%.2f calls=%zu rounds=%zu\n",
	       k, o, o / k, kc, oc, oc / kc, n, rounds);
	return 0;
}
