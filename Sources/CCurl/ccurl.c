#include "ccurl.h"
/* Everything lives in the header as static inline functions. */
