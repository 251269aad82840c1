/* The empty databases as bytes in the binary (store/schema_image.h); the Makefile makes
 * build/store/schema_image.bin.h before this file is compiled into the library. */
#include "store/schema_image.h"

#if !defined(DB_NO_IMAGE) && __has_include("store/schema_image.bin.h")
#include "store/schema_image.bin.h"	/* db_image_bytes[], db_file_image_bytes[] */

void db_schema_image(const void **image, size_t *len)
{
	*image = db_image_bytes;
	*len = sizeof(db_image_bytes);
}

void db_file_image(const void **image, size_t *len)
{
	*image = db_file_image_bytes;
	*len = sizeof(db_file_image_bytes);
}
#else
void db_schema_image(const void **image, size_t *len)
{
	*image = NULL;
	*len = 0;
}

void db_file_image(const void **image, size_t *len)
{
	*image = NULL;
	*len = 0;
}
#endif
