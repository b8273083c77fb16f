// The prefetch hint is a header-only inline function; SwiftPM builds a C target from at least one source.
#include "CPrefetch.h"
