#include "spec/lint.h"
