/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * depmod: putting a new index set in place as one transaction, in the output directory.
 *
 * - One writer at a time: the directory itself is flock'ed for the whole commit, so concurrent
 *   depmods (package triggers, DKMS) queue instead of deleting each other's temporary files;
 *   each then writes the complete set it computed, and the last one's stays.
 * - Durable before visible: every output is written to a temporary file and fsync'ed (all
 *   writes first, then all syncs), then the directory is, and only then are the temporaries
 *   renamed over the old files. An output byte-identical to the file in place is not replaced.
 * - All or nothing across a crash: before the first rename, a journal (".modules.journal",
 *   itself written, fsync'ed and renamed into place) names every temporary and its final name.
 *   A crash during the renames leaves the journal; the next depmod on the directory finishes
 *   the renames (the temporaries are complete and durable) before anything else, so the set
 *   becomes the crashed run's whole new set. The journal goes once all renames are done.
 * Until that next run, a crash inside the rename loop leaves a mix of whole old and whole new
 * files; docs/DIFFERENCES.md says so.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod.h"
#include "fileio.h"
#include "strbuf.h"

#define JOURNAL ".modules.journal"
#define JOURNAL_MAGIC "libmod-depmod-journal 1\n"
#define JOURNAL_MAX (64u * 1024)

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (i < len)
			buf[i] = '/';
	}
	return 0;
}

/* A name the journal may hold: a plain file name of the output set or one of its temporaries. */
static bool journal_name_ok(const char *s, bool tmp)
{
	if (!*s || strchr(s, '/'))
		return false;
	return tmp ? strncmp(s, ".modules.", 9) == 0 : strncmp(s, "modules.", 8) == 0;
}

/*
 * Finish the renames of a run that died during them. Lines after the magic are
 * "<temporary> <final>"; a temporary that is gone was renamed already.
 */
static int recover(struct mod_depmod *d, int dfd)
{
	char *buf = NULL, *p, path[PATH_MAX];
	size_t len;
	int r, n_done = 0;

	if (snprintf(path, sizeof(path), "%s/" JOURNAL, d->outdirfull) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = read_file_all(path, JOURNAL_MAX, &buf, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		errno = -r;
		ERR(d->ctx, "could not read %s: %m\n", path);
		return r;
	}
	if (len < sizeof(JOURNAL_MAGIC) - 1 ||
	    memcmp(buf, JOURNAL_MAGIC, sizeof(JOURNAL_MAGIC) - 1) != 0) {
		/* only ever renamed into place whole: not ours, leave it */
		ERR(d->ctx, "%s: not a depmod journal, ignored\n", path);
		free(buf);
		return 0;
	}
	for (p = buf + sizeof(JOURNAL_MAGIC) - 1; p < buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p)), *sp;

		if (!nl)
			break;
		*nl = '\0';
		sp = strchr(p, ' ');
		if (sp) {
			*sp = '\0';
			if (journal_name_ok(p, true) && journal_name_ok(sp + 1, false)) {
				if (renameat(dfd, p, dfd, sp + 1) == 0)
					n_done++;
				else if (errno != ENOENT)
					ERR(d->ctx, "could not rename %s/%s to %s: %m\n",
					    d->outdirfull, p, sp + 1);
			}
		}
		p = nl + 1;
	}
	free(buf);
	WARN(d->ctx, "%s: completed the index set of an interrupted depmod (%d files)\n",
	     d->outdirfull, n_done);
	if (fsync(dfd) < 0)
		return -errno;
	if (unlinkat(dfd, JOURNAL, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Is name ".modules.<something>.XXXXXX", one of our temporaries? */
static bool is_temporary(const char *name)
{
	const char *dot = strrchr(name, '.');

	return strncmp(name, ".modules.", 9) == 0 && dot && dot > name + 9 && strlen(dot + 1) == 6;
}

/*
 * Remove temporaries a killed run left behind. Safe only under the lock: every writer holds it
 * while its temporaries exist.
 */
static void remove_stale_temps(struct mod_depmod *d, int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(dir))) {
		if (!is_temporary(de->d_name))
			continue;
		DBG(d->ctx, "removing stale %s\n", de->d_name);
		unlinkat(dfd, de->d_name, 0);
	}
	closedir(dir);
}

/*
 * Create ".<name>.XXXXXX" exclusively in the output directory (dfd); *tmp gets its base name.
 * Relative to dfd, not by path: a harness that redirects open() (kmod's own test suite) then
 * sees every file depmod writes, and the directory cannot be swapped under a run.
 */
static int create_temp(struct mod_depmod *d, int dfd, const char *name, char **tmp)
{
	char base[NAME_MAX + 1];
	int n = snprintf(base, sizeof(base), ".%s.XXXXXX", name);

	if (n < 0 || (size_t)n >= sizeof(base))
		return -ENAMETOOLONG;
	for (int attempt = 0; attempt < 100; attempt++) {
		int fd;

		mod_random_suffix(base + n - 6, 6);
		fd = openat(dfd, base, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0) {
			fd = -errno;
			ERR(d->ctx, "could not create temporary file %s/%s: %m\n", d->outdirfull, base);
			return fd;
		}
		*tmp = strdup(base);
		if (!*tmp) {
			close(fd);
			unlinkat(dfd, base, 0);
			return -ENOMEM;
		}
		return fd;
	}
	ERR(d->ctx, "could not create temporary file %s/.%s.XXXXXX: too many name collisions\n",
	    d->outdirfull, name);
	return -EEXIST;
}

/*
 * Is the temporary open at fd byte-identical to the file it would replace (a plain file of ours:
 * regular, mode 0644, one link)? Then the old file can stay, and its sync and rename are saved:
 * after a small change most outputs come out the same. modules.dep is always replaced: its date
 * is what depmod -A (kmod's too) compares the modules with.
 */
static bool same_as_current(int dfd, const char *name, int fd, struct stat *cur)
{
	char a[65536], b[65536];
	struct stat st;
	off_t off = 0;
	int cfd;
	bool same = true;

	if (streq(name, "modules.dep") || fstat(fd, &st) < 0 ||
	    fstatat(dfd, name, cur, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(cur->st_mode) ||
	    (cur->st_mode & 07777) != 0644 || cur->st_nlink != 1 || cur->st_size != st.st_size)
		return false;
	cfd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (cfd < 0)
		return false;
	while (same && off < st.st_size) {
		size_t want = (size_t)(st.st_size - off) < sizeof(a) ? (size_t)(st.st_size - off)
								      : sizeof(a);
		ssize_t na = pread(fd, a, want, off), nb = pread(cfd, b, want, off);

		same = na == (ssize_t)want && nb == (ssize_t)want && memcmp(a, b, want) == 0;
		off += (off_t)want;
	}
	close(cfd);
	return same;
}

/*
 * Write one temporary whole; its fd stays open in *fdp for sync_temps. On failure say which file
 * could not be written.
 */
static int write_temp(struct mod_depmod *d, int dfd, const char *name, size_t i,
		      depmod_gen_fn gen, char **tmp, int *fdp)
{
	int fd = create_temp(d, dfd, name, tmp), r;
	struct stat cur;

	if (fd < 0)
		return fd;
	r = gen(d, i, fd);
	if (r >= 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	/* what the file looks like once in place (a rename keeps all of it), for the cache */
	if (r >= 0 && i < DEPMOD_N_OUTPUTS && fstat(fd, &d->out_st[i]) < 0)
		r = -errno;
	if (r >= 0 && i < DEPMOD_N_OUTPUTS && same_as_current(dfd, name, fd, &cur)) {
		/* the file in place is what would replace it: keep it */
		d->out_st[i] = cur;
		close(fd);
		unlinkat(dfd, *tmp, 0);
		free(*tmp);
		*tmp = NULL;
		return 0;
	}
	if (r < 0) {
		close(fd);
		/* the old files were not touched: say so, and why this one failed */
		errno = -r;
		ERR(d->ctx, "cannot write %s/%s: %m; the previous index files are kept\n",
		    d->outdirfull, name);
		return r;
	}
	*fdp = fd;
	return 0;
}

/*
 * Make every written temporary durable, then close it. The syncs come after all the writes, not
 * one after each: the first sync's journal commit then carries most of the others' data, where
 * alternating write and sync pays one commit per file.
 */
static int sync_temps(struct mod_depmod *d, const char *const *names, int *fds, size_t n)
{
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		int e = 0;

		if (fds[i] < 0)
			continue;
		if (r >= 0 && fsync(fds[i]) < 0)
			e = -errno;
		/* close() can report deferred write errors (NFS, quota) */
		if (close(fds[i]) < 0 && e == 0)
			e = -errno;
		fds[i] = -1;
		if (e < 0 && r >= 0) {
			r = e;
			errno = -e;
			ERR(d->ctx, "cannot write %s/%s: %m; the previous index files are kept\n",
			    d->outdirfull, names[i]);
		}
	}
	return r;
}

static int write_journal(struct mod_depmod *d, int dfd, char **tmps, const char *const *names,
			 size_t n)
{
	struct wbuf *w = malloc(sizeof(*w));
	char *jtmp = NULL;
	int fd, r;

	if (!w)
		return -ENOMEM;
	fd = create_temp(d, dfd, "modules.journal", &jtmp);
	if (fd < 0) {
		free(w);
		return fd;
	}
	wbuf_init(w, fd);
	wbuf_puts(w, JOURNAL_MAGIC);
	for (size_t i = 0; i < n; i++) {
		if (!tmps[i])
			continue;
		wbuf_puts(w, tmps[i]);
		wbuf_putc(w, ' ');
		wbuf_puts(w, names[i]);
		wbuf_putc(w, '\n');
	}
	r = wbuf_flush(w);
	free(w);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r >= 0)
		r = -errno;
	if (r >= 0 && renameat(dfd, jtmp, dfd, JOURNAL) < 0)
		r = -errno;
	if (r >= 0 && fsync(dfd) < 0)
		r = -errno;
	if (r < 0) {
		errno = -r;
		ERR(d->ctx, "cannot write %s/" JOURNAL ": %m; the previous index files are kept\n",
		    d->outdirfull);
		unlinkat(dfd, jtmp, 0);
		unlinkat(dfd, JOURNAL, 0);
	}
	free(jtmp);
	return r;
}

/* Take the directory's lock, waiting for another depmod to finish its commit. */
static void lock_dir(struct mod_depmod *d, int dfd)
{
	while (flock(dfd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		/* some network file systems cannot lock: go on, as kmod always does */
		DBG(d->ctx, "flock(%s): %m\n", d->outdirfull);
		return;
	}
}

int depmod_commit(struct mod_depmod *d, const char *const *names, size_t n, depmod_gen_fn gen)
{
	char **tmps;
	int *fds;
	int dfd, r, rs;

	r = mkdir_p(d->outdirfull);
	if (r < 0) {
		errno = -r;
		ERR(d->ctx, "could not create directory %s: %m\n", d->outdirfull);
		return r;
	}
	dfd = open(d->outdirfull, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		ERR(d->ctx, "could not open directory %s: %m\n", d->outdirfull);
		return r;
	}
	tmps = calloc(n ? n : 1, sizeof(*tmps));
	fds = malloc((n ? n : 1) * sizeof(*fds));
	if (!tmps || !fds) {
		free(tmps);
		free(fds);
		close(dfd);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		fds[i] = -1;
	lock_dir(d, dfd);
	r = recover(d, dfd);
	if (r < 0)
		goto out;
	remove_stale_temps(d, dfd);

	for (size_t i = 0; i < n && r >= 0; i++)
		if (names[i])
			r = write_temp(d, dfd, names[i], i, gen, &tmps[i], &fds[i]);
	/* closes every fd, also after a failure */
	rs = sync_temps(d, names, fds, n);
	if (rs < 0 && r >= 0)
		r = rs;
	/* the temporaries' directory entries must be durable before the journal names them */
	if (r >= 0 && fsync(dfd) < 0)
		r = -errno;
	if (r >= 0)
		r = write_journal(d, dfd, tmps, names, n);
	if (r < 0)
		goto out;

	for (size_t i = 0; i < n; i++) {
		if (!tmps[i])
			continue;
		if (renameat(dfd, tmps[i], dfd, names[i]) < 0) {
			/* the journal stays: the next run finishes what is left */
			r = -errno;
			ERR(d->ctx, "could not rename %s/%s to %s: %m\n", d->outdirfull, tmps[i],
			    names[i]);
			break;
		}
		free(tmps[i]);
		tmps[i] = NULL;
	}
	if (r >= 0 && fsync(dfd) < 0)
		r = -errno;
	/* a lost unlink is harmless: the next run finds every temporary gone */
	if (r >= 0)
		unlinkat(dfd, JOURNAL, 0);
	if (r < 0)
		goto out_keep;
out:
	for (size_t i = 0; i < n; i++)
		if (tmps[i])
			unlinkat(dfd, tmps[i], 0);
out_keep:
	for (size_t i = 0; i < n; i++)
		free(tmps[i]);
	free(tmps);
	free(fds);
	close(dfd); /* drops the lock */
	return r;
}

bool depmod_commit_pending(const struct mod_depmod *d)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/" JOURNAL, d->outdirfull) >= (int)sizeof(path))
		return false;
	return access(path, F_OK) == 0;
}
