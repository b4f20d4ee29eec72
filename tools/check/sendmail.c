/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sendmail.c - hands one message to "sendmail -t -oi", with a deadline. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* How long sendmail may take: it normally hands the message to the local
 * queue in milliseconds, but a relay-only sendmail (msmtp, ssmtp) can hang
 * on the network, and notify holds the state lock meanwhile (refresh and
 * recipients wait on it). $BMSUB_SENDMAIL_TIMEOUT (seconds, 1-3600)
 * overrides it. */
#define SENDMAIL_TIMEOUT 120
#define SENDMAIL_TIMEOUT_MAX 3600

unsigned
cli_sendmail_timeout(void)
{
	const char *s = getenv("BMSUB_SENDMAIL_TIMEOUT");
	unsigned long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return SENDMAIL_TIMEOUT;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > SENDMAIL_TIMEOUT_MAX)
		return SENDMAIL_TIMEOUT;
	return (unsigned)v;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC), 0 when past. */
static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	int64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms <= 0 ? 0 : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* Starts prog with the read end of a pipe as its standard input (its
 * standard output goes to our stderr, so that --json stays clean). */
static pid_t
spawn(const char *prog, int *to_child, char *why, size_t whysize)
{
	int p[2] = { -1, -1 };
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0) {
		snprintf(why, whysize, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		snprintf(why, whysize, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(p[0], 0) < 0 || dup2(2, 1) < 0)
			_exit(126);
		execl(prog, prog, "-t", "-oi", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	*to_child = p[1];
	return pid;
}

/* Writes msg to fd until done, a write error or the deadline; returns
 * the bytes written, *timed_out set at the deadline. Non-blocking, so a
 * sendmail that does not read cannot stall us; one that stops reading
 * early is a write error, not a SIGPIPE. */
static size_t
feed(int fd, const char *msg, const struct timespec *deadline,
    int *timed_out)
{
	struct sigaction ign, old;
	struct pollfd pfd;
	size_t len = strlen(msg), off = 0;
	ssize_t w;
	int n;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (off < len) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if ((n = poll(&pfd, 1, ms_left(deadline))) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (n == 0) {
			*timed_out = 1;
			break;
		}
		w = write(fd, msg + off, len - off);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
	sigaction(SIGPIPE, &old, NULL);
	return off;
}

/* Waits for pid until the deadline, then kills it. 0 and *status, or -1
 * when waitpid failed (why says so). Woken by a pidfd the moment pid
 * exits (20 ms naps without one): notify records a sent alert at once,
 * and a kill between the sending and the record is that much less
 * likely to send it twice. */
static int
reap(pid_t pid, const struct timespec *deadline, int *timed_out,
    int *status, char *why, size_t whysize)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	struct pollfd pfd;
	pid_t got;
	int r = 0, pidfd = -1;

#ifdef SYS_pidfd_open
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	for (;;) {
		if ((got = waitpid(pid, status, WNOHANG)) == pid)
			break;
		if (got < 0 && errno != EINTR) {
			snprintf(why, whysize, "waitpid: %s", strerror(errno));
			r = -1;
			break;
		}
		if (*timed_out || ms_left(deadline) == 0) {
			*timed_out = 1;
			(void)kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		pfd.fd = pidfd;
		pfd.events = POLLIN;
		if (pidfd < 0 || poll(&pfd, 1, ms_left(deadline)) < 0)
			nanosleep(&nap, NULL);
	}
	if (pidfd >= 0)
		close(pidfd);
	return r;
}

/*
 * 0 when sendmail exited 0 after reading the whole message; -1 otherwise,
 * with the reason in why. A sendmail still running after the timeout is
 * killed and counts as a failure: nothing is recorded and the alert is
 * retried at the next run (a copy it had queued before hanging may then
 * arrive twice).
 */
int
cli_sendmail(const char *prog, const char *msg, char *why, size_t whysize)
{
	struct timespec deadline;
	unsigned timeout = cli_sendmail_timeout();
	int fd = -1, status = 0, timed_out = 0;
	size_t off;
	pid_t pid;

	if (access(prog, X_OK) != 0) {
		snprintf(why, whysize, "%s: %s", prog, strerror(errno));
		return -1;
	}
	if ((pid = spawn(prog, &fd, why, whysize)) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)timeout;
	off = feed(fd, msg, &deadline, &timed_out);
	if (reap(pid, &deadline, &timed_out, &status, why, whysize) != 0)
		return -1;
	if (timed_out)
		snprintf(why, whysize, "%s did not finish within %u seconds: "
		    "killed", prog, timeout);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    off == strlen(msg))
		return 0;
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		snprintf(why, whysize, "%s exited with status %d", prog,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(why, whysize, "%s killed by signal %d", prog,
		    WTERMSIG(status));
	else
		snprintf(why, whysize, "%s did not read the whole message",
		    prog);
	return -1;
}
