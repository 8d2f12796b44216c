// Every view type's ToJson, in one place: what a front end includes to
// render any service's answer (the server's handlers, the CLI's commands).
// Thread safety: pure functions.
#pragma once

#include "service/catalog.h"
#include "service/control.h"
#include "service/finops.h"
#include "service/glossary.h"
#include "service/governance.h"
#include "service/lineage.h"
#include "service/monitor.h"
#include "service/publish.h"
#include "service/query.h"
#include "service/sharing.h"
