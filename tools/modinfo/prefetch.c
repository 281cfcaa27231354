/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading module files ahead on a pool of worker threads; see prefetch.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "prefetch.h"

#define PREFETCH_MAX_THREADS 4

struct prefetch {
	struct mod_ctx *ctx; /* the worker's own */
	char *const *paths;
	const bool *wanted;
	size_t n;
	struct mod_image **images;
	bool *done;
	size_t next;  /* the next index a worker reads */
	size_t taken; /* the consumer has taken everything below this index */
	size_t ahead; /* how far past `taken` workers may read: bounds the memory held */
	bool stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t threads[PREFETCH_MAX_THREADS];
	size_t n_threads;
};

/*
 * Each worker takes the next index and decompresses it: with one worker per core the
 * decompressions themselves run in parallel, while the consumer prints in argument order.
 */
static void *worker(void *arg)
{
	struct prefetch *p = arg;

	for (;;) {
		struct mod_image *img = NULL;
		size_t i;

		pthread_mutex_lock(&p->lock);
		while (!p->stop && p->next < p->n && p->next >= p->taken + p->ahead)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->stop || p->next >= p->n) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->lock);

		if (p->wanted[i] && mod_image_open(p->ctx, p->paths[i], &img) < 0)
			img = NULL;
		pthread_mutex_lock(&p->lock);
		p->images[i] = img;
		p->done[i] = true;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

int prefetch_start(const char *moddir, char *const *paths, const bool *wanted, size_t n,
		   struct prefetch **ret)
{
	static const char *const no_config[] = { NULL };
	struct prefetch *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	p->paths = paths;
	p->wanted = wanted;
	p->n = n;
	p->images = calloc(n, sizeof(*p->images));
	p->done = calloc(n, sizeof(*p->done));
	if (!p->images || !p->done) {
		r = -ENOMEM;
		goto fail;
	}
	r = mod_ctx_new(moddir, no_config, &p->ctx);
	if (r < 0)
		goto fail;
	mod_ctx_set_log_fn(p->ctx, NULL, NULL);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	{
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		size_t want = cpus < 1 ? 1 : cpus > PREFETCH_MAX_THREADS ? PREFETCH_MAX_THREADS
									  : (size_t)cpus;

		/* One image being printed, one per worker in progress, one ready. */
		p->ahead = want + 1;
		for (size_t t = 0; t < want; t++) {
			if (pthread_create(&p->threads[t], NULL, worker, p) != 0)
				break;
			p->n_threads++;
		}
	}
	if (p->n_threads == 0) {
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		mod_ctx_unref(p->ctx);
		r = -EAGAIN;
		goto fail;
	}
	*ret = p;
	return 0;
fail:
	free(p->images);
	free(p->done);
	free(p);
	return r;
}

struct mod_image *prefetch_take(struct prefetch *p, size_t i)
{
	struct mod_image *img;

	if (!p || i >= p->n)
		return NULL;
	pthread_mutex_lock(&p->lock);
	while (!p->done[i])
		pthread_cond_wait(&p->cond, &p->lock);
	img = p->images[i];
	p->images[i] = NULL;
	if (i + 1 > p->taken)
		p->taken = i + 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return img;
}

void prefetch_stop(struct prefetch *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (size_t t = 0; t < p->n_threads; t++)
		pthread_join(p->threads[t], NULL);
	for (size_t i = 0; i < p->n; i++)
		mod_image_unref(p->images[i]);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	/* Images handed out keep the worker's context alive as long as they need it. */
	mod_ctx_unref(p->ctx);
	free(p->images);
	free(p->done);
	free(p);
}
