// SPDX-License-Identifier: GPL-2.0
/* socket(): which type and protocol combinations reach shake, and how. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "shake_lib.h"

static int getint(int fd, int level, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, opt, &v, &len))
		return -errno;
	return v;
}

TEST(stream_socket)
{
	int fd = socket(AF_INET, SOCK_STREAM, shake_proto());

	ASSERT_LE(0, fd);
	EXPECT_EQ(AF_INET, getint(fd, SOL_SOCKET, SO_DOMAIN));
	EXPECT_EQ(SOCK_STREAM, getint(fd, SOL_SOCKET, SO_TYPE));
	EXPECT_EQ(shake_proto(), getint(fd, SOL_SOCKET, SO_PROTOCOL));
	EXPECT_EQ(0, getint(fd, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(0, close(fd));
}

TEST(type_flags)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			shake_proto());

	ASSERT_LE(0, fd);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

TEST(datagram_type_refused)
{
	EXPECT_EQ(-1, socket(AF_INET, SOCK_DGRAM, shake_proto()));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
}

TEST(ipv6_refused)
{
	EXPECT_EQ(-1, socket(AF_INET6, SOCK_STREAM, shake_proto()));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
}

/* SOCK_STREAM with protocol 0 still means TCP */
TEST(default_stream_is_tcp)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(IPPROTO_TCP, getint(fd, SOL_SOCKET, SO_PROTOCOL));
	close(fd);
}

TEST(ip_level_options)
{
	int fd = socket(AF_INET, SOCK_STREAM, shake_proto());
	int tos = 0x10;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, SOL_IP, IP_TOS, &tos, sizeof(tos)));
	EXPECT_EQ(0x10, getint(fd, SOL_IP, IP_TOS));
	close(fd);
}

/* /proc/net/protocols counts each socket until it is freed. */
TEST(sockets_in_use)
{
	long before;
	int fd[5], i;

	ASSERT_EQ(0, shake_new_netns());
	before = shake_protocols_sockets("SHAKE");
	ASSERT_EQ(0, before);
	for (i = 0; i < 5; i++) {
		fd[i] = socket(AF_INET, SOCK_STREAM, shake_proto());
		ASSERT_LE(0, fd[i]);
	}
	EXPECT_EQ(before + 5, shake_protocols_sockets("SHAKE"));
	for (i = 0; i < 5; i++)
		close(fd[i]);
	EXPECT_EQ(before, shake_protocols_sockets_settle("SHAKE", before));
}

TEST_HARNESS_MAIN
