// SPDX-License-Identifier: GPL-2.0
/*
 * bind() semantics. Every case runs against the kernel's TCP and against
 * shake with the same expectations, so a pass on both says shake answers
 * exactly as TCP does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "shake_lib.h"

#define PORT 5000

FIXTURE(bind) {
	int proto;
};

FIXTURE_VARIANT(bind) {
	bool tcp;
};

FIXTURE_VARIANT_ADD(bind, tcp) {
	.tcp = true,
};

FIXTURE_VARIANT_ADD(bind, shake) {
	.tcp = false,
};

FIXTURE_SETUP(bind)
{
	self->proto = variant->tcp ? IPPROTO_TCP : shake_proto();
	ASSERT_EQ(0, shake_new_netns());
}

FIXTURE_TEARDOWN(bind)
{
}

static int new_sock(int proto)
{
	return socket(AF_INET, SOCK_STREAM, proto);
}

static int new_sock_opt(int proto, int opt)
{
	int one = 1, fd = new_sock(proto);

	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, opt, &one, sizeof(one))) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST_F(bind, explicit_port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = new_sock(self->proto);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shake_bind(fd, "127.0.0.1", PORT));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(htonl(INADDR_LOOPBACK), sin.sin_addr.s_addr);
	EXPECT_EQ(PORT, ntohs(sin.sin_port));
	close(fd);
}

TEST_F(bind, unbound_getsockname)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = new_sock(self->proto);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(sizeof(sin), len);
	EXPECT_EQ(0, sin.sin_addr.s_addr);
	EXPECT_EQ(0, sin.sin_port);
	close(fd);
}

TEST_F(bind, ephemeral_in_range)
{
	int fd[8], i, j;

	ASSERT_EQ(0, shake_set_sysctl(self->proto, "ip_local_port_range",
				      "40000 40009"));
	for (i = 0; i < 8; i++) {
		int port;

		fd[i] = new_sock(self->proto);
		ASSERT_LE(0, fd[i]);
		ASSERT_EQ(0, shake_bind(fd[i], "0.0.0.0", 0));
		port = shake_local_port(fd[i]);
		EXPECT_LE(40000, port);
		EXPECT_GE(40009, port);
		for (j = 0; j < i; j++)
			EXPECT_NE(shake_local_port(fd[j]), port);
	}
	for (i = 0; i < 8; i++)
		close(fd[i]);
}

TEST_F(bind, ephemeral_exhausted)
{
	int a = new_sock(self->proto), b = new_sock(self->proto);
	int c = new_sock(self->proto);

	ASSERT_EQ(0, shake_set_sysctl(self->proto, "ip_local_port_range",
				      "40000 40001"));
	ASSERT_EQ(0, shake_bind(a, "0.0.0.0", 0));
	ASSERT_EQ(0, shake_bind(b, "0.0.0.0", 0));
	EXPECT_NE(shake_local_port(a), shake_local_port(b));
	EXPECT_EQ(-EADDRINUSE, shake_bind(c, "0.0.0.0", 0));
	/* a freed port is handed out again */
	close(a);
	EXPECT_EQ(0, shake_bind(c, "0.0.0.0", 0));
	close(b);
	close(c);
}

TEST_F(bind, ephemeral_skips_reserved)
{
	int a = new_sock(self->proto), b = new_sock(self->proto);

	ASSERT_EQ(0, shake_set_sysctl(self->proto, "ip_local_port_range",
				      "40000 40001"));
	ASSERT_EQ(0, shake_set_sysctl(self->proto, "ip_local_reserved_ports",
				      "40000"));
	ASSERT_EQ(0, shake_bind(a, "0.0.0.0", 0));
	EXPECT_EQ(40001, shake_local_port(a));
	EXPECT_EQ(-EADDRINUSE, shake_bind(b, "0.0.0.0", 0));
	/* an explicit bind may still take a reserved port */
	EXPECT_EQ(0, shake_bind(b, "0.0.0.0", 40000));
	close(a);
	close(b);
}

TEST_F(bind, same_address_conflicts)
{
	int a = new_sock(self->proto), b = new_sock(self->proto);

	ASSERT_EQ(0, shake_bind(a, "127.0.0.1", PORT));
	EXPECT_EQ(-EADDRINUSE, shake_bind(b, "127.0.0.1", PORT));
	/* the failed socket stays unbound and may bind elsewhere */
	EXPECT_EQ(0, shake_bind(b, "127.0.0.1", PORT + 1));
	close(a);
	close(b);
}

TEST_F(bind, wildcard_overlaps_specific)
{
	int a = new_sock(self->proto), b = new_sock(self->proto);

	ASSERT_EQ(0, shake_bind(a, "0.0.0.0", PORT));
	EXPECT_EQ(-EADDRINUSE, shake_bind(b, "127.0.0.1", PORT));
	close(a);
	close(b);

	a = new_sock(self->proto);
	b = new_sock(self->proto);
	ASSERT_EQ(0, shake_bind(a, "127.0.0.1", PORT));
	EXPECT_EQ(-EADDRINUSE, shake_bind(b, "0.0.0.0", PORT));
	close(a);
	close(b);
}

TEST_F(bind, distinct_addresses_share_port)
{
	int a = new_sock(self->proto), b = new_sock(self->proto);

	ASSERT_EQ(0, shake_bind(a, "127.0.0.1", PORT));
	EXPECT_EQ(0, shake_bind(b, "127.0.0.2", PORT));
	close(a);
	close(b);
}

TEST_F(bind, reuseaddr_both)
{
	int a = new_sock_opt(self->proto, SO_REUSEADDR);
	int b = new_sock_opt(self->proto, SO_REUSEADDR);

	ASSERT_EQ(0, shake_bind(a, "127.0.0.1", PORT));
	EXPECT_EQ(0, shake_bind(b, "127.0.0.1", PORT));
	close(a);
	close(b);
}

TEST_F(bind, reuseaddr_one_side)
{
	int a = new_sock_opt(self->proto, SO_REUSEADDR);
	int b = new_sock(self->proto);

	ASSERT_EQ(0, shake_bind(a, "127.0.0.1", PORT));
	EXPECT_EQ(-EADDRINUSE, shake_bind(b, "127.0.0.1", PORT));
	close(a);
	close(b);

	a = new_sock(self->proto);
	b = new_sock_opt(self->proto, SO_REUSEADDR);
	ASSERT_EQ(0, shake_bind(a, "127.0.0.1", PORT));
	EXPECT_EQ(-EADDRINUSE, shake_bind(b, "127.0.0.1", PORT));
	close(a);
	close(b);
}

TEST_F(bind, reuseport_same_user)
{
	int a = new_sock_opt(self->proto, SO_REUSEPORT);
	int b = new_sock_opt(self->proto, SO_REUSEPORT);

	ASSERT_EQ(0, shake_bind(a, "127.0.0.1", PORT));
	EXPECT_EQ(0, shake_bind(b, "127.0.0.1", PORT));
	close(a);
	close(b);
}

static int reuseport_bind_as(void *arg)
{
	int fd = new_sock_opt(*(int *)arg, SO_REUSEPORT);

	return fd < 0 ? -errno : shake_bind(fd, "127.0.0.1", PORT);
}

TEST_F(bind, reuseport_other_user)
{
	int a = new_sock_opt(self->proto, SO_REUSEPORT);

	ASSERT_EQ(0, shake_bind(a, "127.0.0.1", PORT));
	EXPECT_EQ(-EADDRINUSE, shake_as_nobody(reuseport_bind_as, &self->proto));
	close(a);
}

static int privileged_bind_as(void *arg)
{
	int fd = new_sock(*(int *)arg);

	return fd < 0 ? -errno : shake_bind(fd, "127.0.0.1", 80);
}

TEST_F(bind, privileged_port)
{
	EXPECT_EQ(-EACCES, shake_as_nobody(privileged_bind_as, &self->proto));
}

TEST_F(bind, twice)
{
	int fd = new_sock(self->proto);

	ASSERT_EQ(0, shake_bind(fd, "127.0.0.1", PORT));
	EXPECT_EQ(-EINVAL, shake_bind(fd, "127.0.0.1", PORT + 1));
	EXPECT_EQ(PORT, shake_local_port(fd));
	close(fd);
}

TEST_F(bind, short_address)
{
	struct sockaddr_in sin = shake_addr("127.0.0.1", PORT);
	int fd = new_sock(self->proto);

	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&sin, sizeof(sin) - 1));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(bind, wrong_family)
{
	struct sockaddr_in sin = shake_addr("127.0.0.1", PORT);
	int fd = new_sock(self->proto);

	sin.sin_family = AF_INET6;
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	close(fd);
}

TEST_F(bind, af_unspec)
{
	struct sockaddr_in sin = shake_addr("127.0.0.1", PORT);
	int fd = new_sock(self->proto);

	/* AF_UNSPEC passes only with INADDR_ANY, for old programs */
	sin.sin_family = AF_UNSPEC;
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	EXPECT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_EQ(PORT, shake_local_port(fd));
	close(fd);
}

TEST_F(bind, nonlocal_address)
{
	int one = 1, fd = new_sock(self->proto);

	EXPECT_EQ(-EADDRNOTAVAIL, shake_bind(fd, "192.0.2.1", PORT));
	ASSERT_EQ(0, setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof(one)));
	EXPECT_EQ(0, shake_bind(fd, "192.0.2.1", PORT));
	close(fd);
}

TEST_F(bind, close_releases_port)
{
	int i;

	for (i = 0; i < 3; i++) {
		int fd = new_sock(self->proto);

		ASSERT_EQ(0, shake_bind(fd, "127.0.0.1", PORT));
		close(fd);
	}
}

TEST_F(bind, address_no_port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int one = 1, fd = new_sock(self->proto);

	ASSERT_EQ(0, setsockopt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one,
				sizeof(one)));
	ASSERT_EQ(0, shake_bind(fd, "127.0.0.1", 0));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(htonl(INADDR_LOOPBACK), sin.sin_addr.s_addr);
	EXPECT_EQ(0, sin.sin_port);
	close(fd);
}

/* shake and TCP have separate port spaces, as TCP and UDP do */
TEST_F(bind, port_space_is_own)
{
	int other_proto = variant->tcp ? shake_proto() : IPPROTO_TCP;
	int a = new_sock(self->proto), b = new_sock(other_proto);

	ASSERT_LE(0, b);
	ASSERT_EQ(0, shake_bind(b, "127.0.0.1", PORT));
	if (other_proto == IPPROTO_TCP)
		ASSERT_EQ(0, listen(b, 1));
	EXPECT_EQ(0, shake_bind(a, "127.0.0.1", PORT));
	close(a);
	close(b);
}

TEST_HARNESS_MAIN
