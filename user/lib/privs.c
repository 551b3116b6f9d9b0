// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The privilege drop, with libcap. Order matters: the bounding set needs
 * CAP_SETPCAP and the id changes need CAP_SETGID and CAP_SETUID, so those go
 * last, in one cap_set_proc() that leaves only the kept capabilities.
 *
 * libcap's cap_setuid()/cap_setgroups() change the ids of the calling thread
 * only (raw syscalls, unless linked with libpsx), as cap_set_proc() does for
 * capabilities: the exporter is single-threaded until then (libmicrohttpd
 * and libcurl run inside its poll loop; the password-check thread starts at
 * the first login, after the drop), and privs_drop() checks that it is.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "log.h"
#include "privs.h"

#ifndef CAP_BPF
#define CAP_BPF 39 /* Linux 5.8; older libcap headers lack the name */
#endif

#define CAP_BIT(cap)		 (1ULL << (cap))
#define UNPRIV_BPF_DISABLED_PATH "/proc/sys/kernel/unprivileged_bpf_disabled"

int privs_prepare(struct privs *p, const char *user)
{
	struct passwd *pw;
	bool root = geteuid() == 0;

	memset(p, 0, sizeof(*p));
	if (!user && !root)
		return 0; /* started unprivileged: nothing to switch to */
	if (!user)
		user = PRIVS_DEFAULT_USER;
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		pr_err("--user %s: no such user%s%s\n", user, errno ? ": " : "",
		       errno ? strerror(errno) : "");
		return -1;
	}
	if (!root && pw->pw_uid != getuid()) {
		pr_err("--user %s: started as uid %u, not root, the exporter cannot become "
		       "another user (start it as root, or leave --user out)\n",
		       user, (unsigned int)getuid());
		return -1;
	}
	p->change_ids = root;
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	snprintf(p->user, sizeof(p->user), "%s", user);
	return 0;
}

int privs_unpriv_bpf_disabled(void)
{
	FILE *f = fopen(UNPRIV_BPF_DISABLED_PATH, "re");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

struct privs_keep privs_needed(int unpriv_bpf_disabled, bool kernel_has_cap_bpf,
			       const struct privs_needs *needs)
{
	struct privs_keep k = {};

	/*
	 * The kernel checks bpf_capable() at the top of every bpf() command
	 * while the sysctl is non-zero; with it at 0, lookups on a held map fd
	 * and XDP link creation need no capability at all.
	 */
	if (unpriv_bpf_disabled != 0) {
		k.caps |= CAP_BIT(kernel_has_cap_bpf ? CAP_BPF : CAP_SYS_ADMIN);
		if (!kernel_has_cap_bpf)
			k.why_bpf =
				"this kernel predates CAP_BPF (Linux 5.8), so every bpf() call, "
				"map reads on descriptors already held included, needs "
				"CAP_SYS_ADMIN";
		else if (unpriv_bpf_disabled < 0)
			k.why_bpf =
				"kernel.unprivileged_bpf_disabled cannot be read, so bpf() is "
				"taken to need it: scrapes and alert ticks read the maps through "
				"bpf(), and interfaces that come back are re-attached with it";
		else
			k.why_bpf =
				"kernel.unprivileged_bpf_disabled is set, so the kernel refuses "
				"every bpf() call, map reads on descriptors already held "
				"included, to a task without it: scrapes and alert ticks read "
				"the maps, and interfaces that come back are re-attached "
				"(an XDP bpf_link), through bpf()";
	}
	if (needs->tc_egress) {
		k.caps |= CAP_BIT(CAP_NET_ADMIN);
		k.why_net_admin = "the TC egress filter (a netlink filter before Linux 6.6, "
				  "else a TCX link) goes on and off through rtnetlink or "
				  "bpf(), which check it: to re-attach an interface that comes "
				  "back, and to detach at stop";
	}
	return k;
}

/* Threads: from /proc/self/status; capabilities and libcap's ids are per thread. */
static int thread_count(void)
{
	char line[128];
	FILE *f = fopen("/proc/self/status", "re");
	int n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* "CAP_BPF, CAP_NET_ADMIN" or "none", for the logs. */
static void caps_text(unsigned long long caps, char *buf, size_t len)
{
	size_t off = 0;
	cap_value_t c;
	char *name;

	snprintf(buf, len, "none");
	for (c = 0; c < 64 && off < len; c++) {
		if (!(caps & CAP_BIT(c)))
			continue;
		name = cap_to_name(c);
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "", name ? name : "?");
		cap_free(name);
	}
	/* cap_to_name() says "cap_bpf"; the kernel's documentation and ours say CAP_BPF. */
	for (name = buf; caps && *name; name++)
		if (*name >= 'a' && *name <= 'z')
			*name -= 'a' - 'A';
}

/* The mask of the capabilities in @flag of @caps. */
static unsigned long long caps_mask(cap_t caps, cap_flag_t flag)
{
	unsigned long long mask = 0;
	cap_flag_value_t v;
	cap_value_t c;

	for (c = 0; c < cap_max_bits() && c < 64; c++)
		if (!cap_get_flag(caps, c, flag, &v) && v == CAP_SET)
			mask |= CAP_BIT(c);
	return mask;
}

/* Effective := permitted, so CAP_SETPCAP, CAP_SETUID and CAP_SETGID work if held at all. */
static int raise_permitted(cap_t caps)
{
	cap_value_t c;
	cap_flag_value_t v;

	for (c = 0; c < cap_max_bits(); c++)
		if (!cap_get_flag(caps, c, CAP_PERMITTED, &v) && v == CAP_SET)
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET);
	return cap_set_proc(caps);
}

/* Drops every capability outside @keep from the bounding set; needs CAP_SETPCAP. */
static int drop_bounding(unsigned long long keep, bool have_setpcap)
{
	cap_value_t c;

	for (c = 0; c < cap_max_bits(); c++) {
		if ((c < 64 && (keep & CAP_BIT(c))) || cap_get_bound(c) != 1)
			continue;
		if (!have_setpcap) {
			pr_info("privileges: the capability bounding set stays as it was given "
				"(emptying it needs CAP_SETPCAP); with no_new_privs no execve can "
				"draw on it\n");
			return 0;
		}
		if (cap_drop_bound(c)) {
			pr_err("privileges: dropping capability %d from the bounding set failed: "
			       "%s\n",
			       c, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Checks the result: ids, no groups, and exactly @keep in permitted and effective. */
static int verify(const struct privs *p, unsigned long long keep)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	cap_t now = cap_get_proc();
	unsigned long long prm, eff, inh;

	if (!now) {
		pr_err("privileges: reading our capabilities back failed: %s\n", strerror(errno));
		return -1;
	}
	prm = caps_mask(now, CAP_PERMITTED);
	eff = caps_mask(now, CAP_EFFECTIVE);
	inh = caps_mask(now, CAP_INHERITABLE);
	cap_free(now);
	if (prm != keep || eff != keep || inh) {
		pr_err("privileges: capabilities left after the drop are permitted %#llx, "
		       "effective %#llx, inheritable %#llx; expected %#llx\n",
		       prm, eff, inh, keep);
		return -1;
	}
	if (!p->change_ids)
		return 0;
	if (getresuid(&ruid, &euid, &suid) || getresgid(&rgid, &egid, &sgid) || ruid != p->uid ||
	    euid != p->uid || suid != p->uid || rgid != p->gid || egid != p->gid ||
	    sgid != p->gid || getgroups(0, NULL) != 0) {
		pr_err("privileges: the ids did not all change to %s\n", p->user);
		return -1;
	}
	return 0;
}

static int change_ids(const struct privs *p)
{
	/* Groups first: after setuid the process could no longer drop them. */
	if (cap_setgroups(p->gid, 0, NULL)) {
		pr_err("--user %s: setting gid %u and clearing supplementary groups failed: %s\n",
		       p->user, (unsigned int)p->gid, strerror(errno));
		return -1;
	}
	/* cap_setuid() keeps the permitted set across the change (PR_SET_KEEPCAPS). */
	if (cap_setuid(p->uid)) {
		pr_err("--user %s: setuid %u failed: %s\n", p->user, (unsigned int)p->uid,
		       strerror(errno));
		return -1;
	}
	return 0;
}

int privs_drop(const struct privs *p, const struct privs_needs *needs)
{
	int unpriv = privs_unpriv_bpf_disabled();
	struct privs_keep k = privs_needed(unpriv, CAP_IS_SUPPORTED(CAP_BPF), needs);
	unsigned long long have, keep;
	char kept[160];
	cap_t caps;
	cap_value_t c;
	int threads = thread_count(), err = -1;

	if (threads != 1) {
		pr_err("privileges: cannot drop them with %d threads running (capabilities and "
		       "ids are per thread)\n",
		       threads);
		return -1;
	}
	caps = cap_get_proc();
	if (!caps) {
		pr_err("privileges: reading our capabilities failed: %s\n", strerror(errno));
		return -1;
	}
	have = caps_mask(caps, CAP_PERMITTED);
	/* Only what we hold can be kept; a missing one failed loudly at load already. */
	keep = k.caps & have;
	if (raise_permitted(caps)) {
		pr_err("privileges: raising our permitted capabilities failed: %s\n",
		       strerror(errno));
		goto out;
	}
	if (drop_bounding(keep, have & CAP_BIT(CAP_SETPCAP)))
		goto out;
	if (cap_reset_ambient() && CAP_AMBIENT_SUPPORTED()) {
		pr_err("privileges: clearing the ambient capabilities failed: %s\n",
		       strerror(errno));
		goto out;
	}
	if (p->change_ids && change_ids(p))
		goto out;
	/* One set for all: permitted = effective = kept, inheritable empty. */
	cap_clear(caps);
	for (c = 0; c < cap_max_bits() && c < 64; c++) {
		if (!(keep & CAP_BIT(c)))
			continue;
		cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_SET);
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET);
	}
	if (cap_set_proc(caps)) {
		pr_err("privileges: setting the kept capabilities failed: %s\n", strerror(errno));
		goto out;
	}
	/* No execve can give any of it back: setuid-root binaries and file caps are ignored. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		pr_err("privileges: setting no_new_privs failed: %s\n", strerror(errno));
		goto out;
	}
	if (verify(p, keep))
		goto out;
	caps_text(keep, kept, sizeof(kept));
	if (p->change_ids && p->uid == 0)
		pr_warn("--user %s: staying uid 0 as asked; only capabilities are dropped, and "
			"every file root owns stays writable\n",
			p->user);
	if (p->change_ids)
		pr_info("privileges: running as %s (uid %u, gid %u, no supplementary groups), "
			"no_new_privs, capabilities kept: %s\n",
			p->user, (unsigned int)p->uid, (unsigned int)p->gid, kept);
	else
		pr_info("privileges: started as uid %u, which stays; no_new_privs, capabilities "
			"kept: %s\n",
			(unsigned int)getuid(), kept);
	if (k.why_bpf && (keep & CAP_BIT(CAP_BPF)))
		pr_info("privileges: keeping CAP_BPF: %s\n", k.why_bpf);
	if (k.why_bpf && (keep & CAP_BIT(CAP_SYS_ADMIN)))
		pr_warn("privileges: keeping CAP_SYS_ADMIN: %s\n", k.why_bpf);
	if (k.why_net_admin && (keep & CAP_BIT(CAP_NET_ADMIN)))
		pr_info("privileges: keeping CAP_NET_ADMIN: %s\n", k.why_net_admin);
	if (!k.why_bpf)
		pr_info("privileges: CAP_BPF dropped: kernel.unprivileged_bpf_disabled is %d, so "
			"reading the maps and re-attaching need none (setting it later stops "
			"the scrapes: restart the exporter then)\n",
			unpriv);
	if (!(k.caps & CAP_BIT(CAP_NET_ADMIN)))
		pr_info("privileges: CAP_NET_ADMIN dropped: XDP is held through bpf_links, which "
			"need none to re-attach or to let go\n");
	if (k.caps & ~keep) {
		caps_text(k.caps & ~keep, kept, sizeof(kept));
		pr_warn("privileges: %s would be needed later but was not given to the exporter\n",
			kept);
	}
	err = 0;
out:
	cap_free(caps);
	return err;
}
