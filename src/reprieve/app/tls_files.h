// TLS bootstrap: a local certificate authority and a server certificate for localhost,
// generated on first start so that clients can trust one file (ca.pem) without disabling
// verification.
#pragma once

#include <string>

#include "reprieve/base/clock.h"
#include "reprieve/base/result.h"

namespace reprieve::app {

struct TlsFiles {
  std::string ca_cert;      // <dir>/ca.pem: the file clients trust
  std::string server_cert;  // <dir>/server.pem: server certificate then the CA
  std::string server_key;   // <dir>/server-key.pem (mode 0600)
  bool generated = false;   // created by this call
};

// Returns the TLS files under `dir`, creating a CA (10 years) and a server certificate
// (SAN localhost, 127.0.0.1, ::1; 825 days) if they are missing or the server certificate
// expires within 30 days. `clock` must be the real clock: the certificate is checked by
// clients against their wall time. kUnavailable if files cannot be written.
Result<TlsFiles> EnsureTlsFiles(const std::string& dir, const Clock& clock);

}  // namespace reprieve::app
