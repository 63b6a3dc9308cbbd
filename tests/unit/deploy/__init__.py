"""Unit tests of deploy/: the Dockerfile, the compose file and the Kubernetes manifests."""
