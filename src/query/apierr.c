/* SPDX-License-Identifier: Apache-2.0 */
/* apierr.c - API.md §7 error values; see apierr.h. */
#include <string.h>

#include "base/errors.h"
#include "query/apierr.h"

static int
apierr_set(struct apierr *e, int status, const char *code, const char *fmt,
    va_list ap)
{
	e->status = status;
	e->code = code;
	e->client = 0;
	buf_reset(&e->msg);
	if (buf_vprintf(&e->msg, fmt, ap) != ZSQ_OK)
		return ZSQ_ENOMEM;
	return ZSQ_EINVAL;
}

int
apierr_text(struct apierr *e, int status, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = apierr_set(e, status, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int
apierr_json(struct apierr *e, const char *code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = apierr_set(e, 503, code, fmt, ap);
	va_end(ap);
	return rc;
}

int
apierr_query(struct apierr *e, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = apierr_set(e, 503, APIERR_INTERNAL, fmt, ap);
	va_end(ap);
	e->client = 1;
	return rc;
}

const char *
apierr_description(const char *code)
{
	if (code == NULL)
		return "";
	if (strcmp(code, APIERR_SESSION) == 0)
		return "The session is invalid, either wrong session id or "
		    "the session has been expired";
	if (strcmp(code, APIERR_ARGUMENT) == 0)
		return "One or more API argument is invalid";
	/* ZStack's own text for SysErrors.TIMEOUT, grammar included. */
	if (strcmp(code, APIERR_TIMEOUT) == 0)
		return "A message or a operation timeout";
	return "An internal error happened in system";
}

void
apierr_reset(struct apierr *e)
{
	e->status = 0;
	e->code = NULL;
	e->client = 0;
	buf_reset(&e->msg);
}

void
apierr_free(struct apierr *e)
{
	buf_free(&e->msg);
	e->status = 0;
	e->code = NULL;
	e->client = 0;
}
