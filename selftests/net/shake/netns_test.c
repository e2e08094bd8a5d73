// SPDX-License-Identifier: GPL-2.0
/* Each network namespace has its own port table and /proc/net/shake. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "shake_lib.h"

#define PROC "/proc/net/shake"

TEST(separate_tables)
{
	char line[512];
	int a, b, ns_a;

	ASSERT_EQ(0, shake_new_netns());
	ns_a = open("/proc/self/ns/net", O_RDONLY);
	ASSERT_LE(0, ns_a);
	a = socket(AF_INET, SOCK_STREAM, shake_proto());
	ASSERT_EQ(0, shake_bind(a, "127.0.0.1", 6000));

	/* the same address and port are free in a second namespace */
	ASSERT_EQ(0, shake_new_netns());
	b = socket(AF_INET, SOCK_STREAM, shake_proto());
	ASSERT_EQ(0, shake_bind(b, "127.0.0.1", 6000));
	EXPECT_EQ(1, shake_proc_count(PROC));
	EXPECT_EQ(1, shake_proc_find(PROC, "127.0.0.1", 6000, line, sizeof(line)));

	/* closing it touches only the second table */
	close(b);
	EXPECT_EQ(0, shake_proc_count(PROC));
	ASSERT_EQ(0, setns(ns_a, CLONE_NEWNET));
	EXPECT_EQ(1, shake_proc_count(PROC));
	EXPECT_EQ(1, shake_proc_find(PROC, "127.0.0.1", 6000, line, sizeof(line)));
	close(a);
	EXPECT_EQ(0, shake_proc_count(PROC));
	close(ns_a);
}

/* A socket keeps its namespace; it goes away cleanly when the last goes. */
TEST(namespace_outlived_by_socket)
{
	int orig = open("/proc/self/ns/net", O_RDONLY);
	int fd, i;

	ASSERT_LE(0, orig);
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, shake_new_netns());
		fd = socket(AF_INET, SOCK_STREAM, shake_proto());
		ASSERT_EQ(0, shake_bind(fd, "127.0.0.1", 0));
		ASSERT_EQ(0, setns(orig, CLONE_NEWNET));
		/* the namespace is now only held by fd */
		EXPECT_LT(0, shake_local_port(fd));
		close(fd);
	}
	close(orig);
}

TEST_HARNESS_MAIN
