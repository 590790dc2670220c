package main

// S3 scenarios register themselves here once the S3 harness is wired in.

func setupS3Parent(env *benchEnv) error { return nil }

func s3ChildEnv() []string { return nil }
