# googleapis-common-protos ships .pyi files but no py.typed marker: these are the
# parts railguard.grpc uses, after its generated stubs (Apache-2.0).
