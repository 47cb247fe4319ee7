#!/bin/sh
# Written by `mlops init`: refuse a commit whose specs do not validate.
if ! command -v mlops >/dev/null 2>&1; then
    echo "pre-commit: mlops is not on PATH; specs not validated" >&2
    exit 0
fi
exec mlops validate
