"""Factor library: bundled, versioned, cited emission factors and their resolution."""
