/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One budget for the decompressed module images a process holds at once. The per-file cap
 * (1 GiB) stops a single decompression bomb, but every thread may hold an image: depmod's
 * parser pool and modinfo's read-ahead multiplied the cap by their thread count (3.4 GB at
 * -j4 on a tree of bombs). Memory is a property of the process, not of a context, so this is
 * the library's one piece of process-wide state: images reserve their buffer here before they
 * allocate it and give it back when they are freed.
 *
 * A thread that holds nothing waits for others to give back. A thread whose image must grow
 * never waits (two growing images would wait for each other): it gives all back and starts
 * again with a reservation of the size it needs. One more escape: a finished image may be held
 * by a thread that waits for the waiter (a read-ahead consumer that frees images in order), so
 * when no decompression is running anywhere and nothing was given back for a whole second, the
 * wait ends by going over the budget (logged). While any decompression runs, waiting is safe:
 * it ends without waiting (it restarts instead) and gives back or finishes.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "image-budget.h"

static pthread_mutex_t budget_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t budget_cond = PTHREAD_COND_INITIALIZER;
static size_t budget_used;
static unsigned long budget_gives;
static unsigned int budget_running; /* decompressions between their first take and the end */

int image_budget_take(struct mod_ctx *ctx, const char *path, size_t n, bool holding)
{
	int r = 0;

	if (n > IMAGE_BUDGET) {
		ERR(ctx, "%s: decompressed size %zu exceeds the %zu bytes all images may use\n",
		    path, n, IMAGE_BUDGET);
		return -EFBIG;
	}
	pthread_mutex_lock(&budget_lock);
	while (budget_used + n > IMAGE_BUDGET) {
		unsigned long gives = budget_gives;
		struct timespec until;

		if (holding) {
			r = -EAGAIN;
			break;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		if (pthread_cond_timedwait(&budget_cond, &budget_lock, &until) == ETIMEDOUT &&
		    gives == budget_gives && budget_running == 0 &&
		    budget_used + n > IMAGE_BUDGET) {
			DBG(ctx, "%s: no image memory given back for 1 s, going over the budget\n",
			    path);
			break;
		}
	}
	if (r == 0) {
		budget_used += n;
		if (!holding)
			budget_running++;
	}
	pthread_mutex_unlock(&budget_lock);
	return r;
}

void image_budget_finished(void)
{
	pthread_mutex_lock(&budget_lock);
	budget_running--;
	pthread_cond_broadcast(&budget_cond);
	pthread_mutex_unlock(&budget_lock);
}

void image_budget_give(size_t n)
{
	if (n == 0)
		return;
	pthread_mutex_lock(&budget_lock);
	budget_used -= n;
	budget_gives++;
	pthread_cond_broadcast(&budget_cond);
	pthread_mutex_unlock(&budget_lock);
}
