// SPDX-License-Identifier: GPL-2.0
/* /proc/net/shake: the layout of /proc/net/tcp, one line per socket. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "shake_lib.h"

#define PROC "/proc/net/shake"

FIXTURE(proc) {
	int proto;
};

FIXTURE_SETUP(proc)
{
	self->proto = shake_proto();
	ASSERT_EQ(0, shake_new_netns());
}

FIXTURE_TEARDOWN(proc)
{
}

static int first_line(const char *file, char *buf, size_t len)
{
	FILE *f = fopen(file, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	return ok ? 0 : -EIO;
}

TEST_F(proc, header_is_tcps)
{
	char tcp[512], shake[512];

	ASSERT_EQ(0, first_line("/proc/net/tcp", tcp, sizeof(tcp)));
	ASSERT_EQ(0, first_line(PROC, shake, sizeof(shake)));
	EXPECT_STREQ(tcp, shake);
	EXPECT_EQ(0, shake_proc_count(PROC));
}

TEST_F(proc, bound_socket_listed)
{
	char line[512], rem[32], tcpline[512];
	unsigned int sl, st, uid;
	unsigned long inode;
	struct stat stbuf;
	int fd, tcpfd, n;

	fd = socket(AF_INET, SOCK_STREAM, self->proto);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shake_bind(fd, "127.0.0.1", 5001));
	ASSERT_EQ(0, fstat(fd, &stbuf));

	ASSERT_EQ(1, shake_proc_find(PROC, "127.0.0.1", 5001, line, sizeof(line)));
	TH_LOG("%s", line);
	n = sscanf(line, "%u: %*s %31s %x %*s %*s %*s %u %*d %lu",
		   &sl, rem, &st, &uid, &inode);
	ASSERT_EQ(5, n);
	EXPECT_EQ(0, sl);
	EXPECT_STREQ("00000000:0000", rem);
	EXPECT_EQ(7, st);		/* TCP_CLOSE: bound, not listening */
	EXPECT_EQ(getuid(), uid);
	EXPECT_EQ(stbuf.st_ino, inode);

	/* same width as a line of /proc/net/tcp */
	tcpfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, shake_bind(tcpfd, "127.0.0.1", 5002));
	ASSERT_EQ(0, listen(tcpfd, 1));
	ASSERT_EQ(1, shake_proc_find("/proc/net/tcp", "127.0.0.1", 5002,
				     tcpline, sizeof(tcpline)));
	EXPECT_EQ(strlen(tcpline), strlen(line));

	close(fd);
	EXPECT_EQ(0, shake_proc_find(PROC, "127.0.0.1", 5001, line, sizeof(line)));
	EXPECT_EQ(0, shake_proc_count(PROC));
	close(tcpfd);
}

TEST_F(proc, unbound_socket_not_listed)
{
	int fd = socket(AF_INET, SOCK_STREAM, self->proto);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, shake_proc_count(PROC));
	close(fd);
}

/* More sockets than fit one read() of the seq_file: none lost or doubled. */
TEST_F(proc, many_sockets)
{
	enum { N = 300 };
	char line[512];
	int fd[N], i, missing = 0;

	for (i = 0; i < N; i++) {
		fd[i] = socket(AF_INET, SOCK_STREAM, self->proto);
		ASSERT_LE(0, fd[i]);
		ASSERT_EQ(0, shake_bind(fd[i], "127.0.0.1", 20000 + i));
	}
	EXPECT_EQ(N, shake_proc_count(PROC));
	for (i = 0; i < N; i++)
		if (shake_proc_find(PROC, "127.0.0.1", 20000 + i, line,
				    sizeof(line)) != 1)
			missing++;
	EXPECT_EQ(0, missing);
	for (i = 0; i < N; i++)
		close(fd[i]);
	EXPECT_EQ(0, shake_proc_count(PROC));
}

TEST_HARNESS_MAIN
