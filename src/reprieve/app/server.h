// RunServer: the composition root of reprieved. Opens the store, bootstraps the default
// tenant, subscription and TLS files, wires core, the ARM API, the HTTPS server and the
// purge loop, prints how to point clients at it, and serves until SIGINT or SIGTERM.
#pragma once

#include "reprieve/app/config.h"

namespace reprieve::app {

inline constexpr char kDefaultTenant[] = "00000000-0000-0000-0000-00000000a001";
inline constexpr char kDefaultSubscription[] = "00000000-0000-0000-0000-00000000b001";

// Returns the process exit code.
int RunServer(const Config& config);

}  // namespace reprieve::app
