/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The uses of a module that its reference count does not show. A device bound to one of its
 * drivers (unloading unbinds it), a network interface of a kind it registers (unloading deletes
 * the interface: rtnl_link_ops take no module reference) and a mounted filesystem of its type
 * (which does hold a reference, but naming the mount says why). Everything is read through
 * the sys layer: /proc/mounts, /sys/module/M/drivers and an rtnetlink link dump.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autoclean-private.h"

/* Bounds against a hostile or broken fake kernel: the lists are small on any real system. */
#define AC_MAX_ENTRIES 65536

static int grow(void **v, size_t n, size_t elem)
{
	void *p;

	if (n >= AC_MAX_ENTRIES)
		return -E2BIG;
	p = reallocarray(*v, n + 1, elem);
	if (!p)
		return -ENOMEM;
	*v = p;
	return 0;
}

/* /proc/mounts: "<source> <dir> <type> <options> 0 0"; octal escapes in dir are kept as is. */
static int read_mounts(struct mod_ctx *ctx, struct ac_facts *f)
{
	char line[8192];
	FILE *fp;
	int r = 0;

	r = mod_sys_fopen(ctx, "/proc/mounts", &fp);
	if (r < 0)
		return r;
	while (r == 0 && fgets(line, sizeof(line), fp)) {
		char *save = NULL, *dir, *type, *dot;

		if (!strtok_r(line, " \t\n", &save))
			continue;
		dir = strtok_r(NULL, " \t\n", &save);
		type = strtok_r(NULL, " \t\n", &save);
		if (!dir || !type)
			continue;
		/* "fuse.sshfs" is the fuse filesystem with a subtype. */
		dot = strchr(type, '.');
		if (dot)
			*dot = '\0';
		r = grow((void **)&f->mounts, f->n_mounts, sizeof(*f->mounts));
		if (r < 0)
			break;
		f->mounts[f->n_mounts].type = strdup(type);
		f->mounts[f->n_mounts].dir = strdup(dir);
		if (!f->mounts[f->n_mounts].type || !f->mounts[f->n_mounts].dir) {
			free(f->mounts[f->n_mounts].type);
			free(f->mounts[f->n_mounts].dir);
			r = -ENOMEM;
			break;
		}
		f->n_mounts++;
	}
	fclose(fp);
	return r;
}

/* The kind inside an IFLA_LINKINFO attribute, or "" when it names none. */
static void link_kind(const struct rtattr *info, char *kind, size_t size)
{
	int len = (int)RTA_PAYLOAD(info);

	kind[0] = '\0';
	for (const struct rtattr *a = RTA_DATA(info); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t n = RTA_PAYLOAD(a);

		if (a->rta_type != IFLA_INFO_KIND)
			continue;
		n = strnlen(RTA_DATA(a), n);
		if (n >= size)
			n = size - 1;
		memcpy(kind, RTA_DATA(a), n);
		kind[n] = '\0';
	}
}

static int add_link(struct ac_facts *f, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	char name[64] = "", kind[64] = "";
	int len;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EBADMSG;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t n = RTA_PAYLOAD(a);

		if (a->rta_type == IFLA_IFNAME) {
			n = strnlen(RTA_DATA(a), n);
			if (n >= sizeof(name))
				n = sizeof(name) - 1;
			memcpy(name, RTA_DATA(a), n);
			name[n] = '\0';
		} else if (a->rta_type == IFLA_LINKINFO) {
			link_kind(a, kind, sizeof(kind));
		}
	}
	if (grow((void **)&f->links, f->n_links, sizeof(*f->links)) < 0)
		return -ENOMEM;
	f->links[f->n_links].name = strdup(name);
	f->links[f->n_links].kind = strdup(kind);
	if (!f->links[f->n_links].name || !f->links[f->n_links].kind) {
		free(f->links[f->n_links].name);
		free(f->links[f->n_links].kind);
		return -ENOMEM;
	}
	f->n_links++;
	return 0;
}

/* Every network interface with its kind: an RTM_GETLINK dump over rtnetlink. */
static int read_links(struct mod_ctx *ctx, struct ac_facts *f)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = {
		.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.h.nlmsg_type = RTM_GETLINK,
		.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.h.nlmsg_seq = 1,
		.i.ifi_family = AF_UNSPEC,
	};
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	const size_t bufsize = 65536;

	fd = mod_sys_open_netlink(ctx, NETLINK_ROUTE);
	if (fd < 0)
		return fd;
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
		return -errno;
	buf = malloc(bufsize);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = recv(fd, buf, bufsize, 0);
		int len, r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EBADMSG; /* the dump ended without NLMSG_DONE */
		len = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EBADMSG;
				return e->error < 0 ? e->error : -EBADMSG;
			}
			if (h->nlmsg_type != RTM_NEWLINK)
				continue;
			r = add_link(f, h);
			if (r < 0)
				return r;
		}
	}
}

int ac_facts_read(struct mod_ctx *ctx, struct ac_facts *f)
{
	int r;

	memset(f, 0, sizeof(*f));
	r = read_mounts(ctx, f);
	if (r < 0) {
		ERR(ctx, "could not read /proc/mounts: %s\n", strerror(-r));
		goto fail;
	}
	/* Not fatal: a module that may own interfaces is then kept, with this reason. */
	f->links_error = read_links(ctx, f);
	r = ac_boot_read(ctx, f);
	if (r < 0)
		goto fail;
	return 0;
fail:
	ac_facts_release(f);
	return r;
}

void ac_facts_release(struct ac_facts *f)
{
	for (size_t i = 0; i < f->n_mounts; i++) {
		free(f->mounts[i].type);
		free(f->mounts[i].dir);
	}
	for (size_t i = 0; i < f->n_links; i++) {
		free(f->links[i].name);
		free(f->links[i].kind);
	}
	for (size_t i = 0; i < f->n_boot; i++) {
		free(f->boot[i].name);
		free(f->boot[i].source);
	}
	free(f->mounts);
	free(f->links);
	free(f->boot);
	memset(f, 0, sizeof(*f));
}

/* The first device link in a bus driver's directory (the "module" link is not a device). */
static int first_device(int drvfd, char *dev, size_t size)
{
	struct dirent *e;
	DIR *d;
	int r = 0;

	d = fdopendir(drvfd);
	if (!d) {
		close(drvfd);
		return -errno;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.' || streq(e->d_name, "module"))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISLNK(st.st_mode))
			continue;
		snprintf(dev, size, "%s", e->d_name);
		r = 1;
		break;
	}
	closedir(d);
	return r;
}

int ac_bound_device(struct mod_ctx *ctx, const char *modname, char *buf, size_t size)
{
	char path[PATH_MAX], dev[256];
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (snprintf(path, sizeof(path), "/sys/module/%s/drivers", modname) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = mod_sys_opendir(ctx, path, &d);
	if (r == -ENOENT)
		return 0; /* a module without drivers */
	if (r < 0)
		return r;
	while (r == 0 && (e = readdir(d))) {
		int drvfd;

		if (e->d_name[0] == '.')
			continue;
		/* "<bus>:<driver>", a symlink to /sys/bus/<bus>/drivers/<driver>. */
		drvfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (drvfd < 0) {
			r = errno == ENOENT ? 0 : -errno;
			continue;
		}
		r = first_device(drvfd, dev, sizeof(dev));
		if (r == 1)
			snprintf(buf, size, "%s %s", e->d_name, dev);
	}
	closedir(d);
	return r;
}
