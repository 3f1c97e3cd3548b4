#include "registry/schema.h"
