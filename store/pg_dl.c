/* libpq through dlopen (store/pg_int.h says why): loaded by the first fleet connection and
 * left loaded; only store/pg*.c call it. */
#include <dlfcn.h>
#include <errno.h>
#include "store/pg_int.h"

int pq_api_load(struct pq_api *api, struct err *e)
{
	void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return err_set(e, ENOTSUP, "fleet: can't load libpq (libpq.so.5): %s", dlerror());
#define PQ_SYM(f) \
	if (!(*(void **)&api->f = dlsym(h, #f))) \
		return err_set(e, ENOTSUP, "fleet: libpq lacks %s", #f);
	PQ_SYM(PQclear)
	PQ_SYM(PQconnectdbParams)
	PQ_SYM(PQerrorMessage)
	PQ_SYM(PQexec)
	PQ_SYM(PQexecParams)
	PQ_SYM(PQfinish)
	PQ_SYM(PQfname)
	PQ_SYM(PQftype)
	PQ_SYM(PQgetResult)
	PQ_SYM(PQgetisnull)
	PQ_SYM(PQgetlength)
	PQ_SYM(PQgetvalue)
	PQ_SYM(PQnfields)
	PQ_SYM(PQntuples)
	PQ_SYM(PQputCopyData)
	PQ_SYM(PQputCopyEnd)
	PQ_SYM(PQresultErrorField)
	PQ_SYM(PQresultStatus)
	PQ_SYM(PQsetNoticeProcessor)
	PQ_SYM(PQstatus)
	PQ_SYM(PQtransactionStatus)
#undef PQ_SYM
	return 0;
}
