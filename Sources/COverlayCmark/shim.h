#ifndef COVERLAYCMARK_SHIM_H
#define COVERLAYCMARK_SHIM_H
#include <cmark.h>
#endif
