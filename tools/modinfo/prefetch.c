/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading module files ahead on a second thread; see prefetch.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "prefetch.h"

#define PREFETCH_AHEAD 2

struct prefetch {
	struct mod_ctx *ctx; /* the worker's own */
	char *const *paths;
	const bool *wanted;
	size_t n;
	struct mod_image **images;
	bool *done;
	size_t taken; /* the consumer has taken everything below this index */
	bool stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
};

static void *worker(void *arg)
{
	struct prefetch *p = arg;

	for (size_t i = 0; i < p->n; i++) {
		struct mod_image *img = NULL;

		pthread_mutex_lock(&p->lock);
		while (!p->stop && i >= p->taken + PREFETCH_AHEAD)
			pthread_cond_wait(&p->cond, &p->lock);
		pthread_mutex_unlock(&p->lock);
		if (p->stop)
			break;
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
	r = -pthread_create(&p->thread, NULL, worker, p);
	if (r < 0) {
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		mod_ctx_unref(p->ctx);
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
	pthread_join(p->thread, NULL);
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
