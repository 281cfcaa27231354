/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake kernel's network interfaces, as an rtnetlink socket shows them. socket(AF_NETLINK,
 * ..., NETLINK_ROUTE) becomes one end of a local packet socket pair whose other end already holds
 * the answer to a link dump: one RTM_NEWLINK per line "<ifname> [<kind>]" of <root>/net-links
 * (the interfaces and their rtnl_link_ops kind; a missing file means none), then NLMSG_DONE.
 * The request sent is not read: a dump of links is the only question libmod asks.
 * LIBMOD_SHIM_FAIL_NETLINK makes the socket call fail instead (e.g. EPERM).
 */
#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shim.h"

/* The end the answers were written from: kept open so the caller's send() finds a peer. */
static int answer_fd = -1;

static void put_attr(char *buf, size_t *len, unsigned short type, const char *s)
{
	struct rtattr *a = (struct rtattr *)(buf + *len);
	size_t n = strlen(s) + 1;

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(n);
	memcpy(RTA_DATA(a), s, n);
	*len += RTA_ALIGN(a->rta_len);
}

/* One RTM_NEWLINK message for an interface, sent as one packet. */
static int send_link(int fd, int index, const char *name, const char *kind)
{
	char buf[512] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	size_t len = NLMSG_LENGTH(sizeof(*ifi));

	if (strlen(name) > 64 || strlen(kind) > 64)
		return -ENAMETOOLONG;
	ifi->ifi_index = index;
	put_attr(buf, &len, IFLA_IFNAME, name);
	if (kind[0]) {
		struct rtattr *info = (struct rtattr *)(buf + len);
		size_t start = len;

		info->rta_type = IFLA_LINKINFO;
		len += RTA_LENGTH(0);
		put_attr(buf, &len, IFLA_INFO_KIND, kind);
		info->rta_len = (unsigned short)(len - start);
	}
	h->nlmsg_len = (unsigned int)len;
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_flags = NLM_F_MULTI;
	h->nlmsg_seq = 1;
	return send(fd, buf, len, 0) < 0 ? -errno : 0;
}

static int write_answers(int fd)
{
	struct nlmsghdr done = {
		.nlmsg_len = NLMSG_LENGTH(sizeof(int)), .nlmsg_type = NLMSG_DONE, .nlmsg_seq = 1,
	};
	char path[PATH_MAX], line[256], buf[NLMSG_LENGTH(sizeof(int))] = { 0 };
	int index = 0, r = 0;
	FILE *f;

	if (shim_root_path(path, sizeof(path), "/net-links") < 0)
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	while (r == 0 && f && fgets(line, sizeof(line), f)) {
		char *save = NULL, *name = strtok_r(line, " \t\n", &save);
		char *kind = strtok_r(NULL, " \t\n", &save);

		if (name)
			r = send_link(fd, ++index, name, kind ? kind : "");
	}
	if (f)
		fclose(f);
	memcpy(buf, &done, sizeof(done));
	if (r == 0 && send(fd, buf, sizeof(buf), 0) < 0)
		r = -errno;
	return r;
}

SHIM_EXPORT int socket(int domain, int type, int protocol)
{
	const char *fail = getenv("LIBMOD_SHIM_FAIL_NETLINK");
	int sv[2], r;

	if (domain != AF_NETLINK || protocol != NETLINK_ROUTE || !shim_root())
		return REAL(socket)(domain, type, protocol);
	if (fail && *fail) {
		errno = shim_errno_from_string(fail, strlen(fail));
		if (errno == 0)
			errno = EINVAL;
		return -1;
	}
	if (REAL(socketpair)(AF_UNIX, SOCK_SEQPACKET | (type & SOCK_CLOEXEC), 0, sv) < 0)
		return -1;
	r = write_answers(sv[1]);
	if (r < 0) {
		close(sv[0]);
		close(sv[1]);
		errno = -r;
		return -1;
	}
	if (answer_fd >= 0)
		close(answer_fd);
	answer_fd = sv[1];
	return sv[0];
}
