#!/usr/bin/env python3
"""A minimal AWS Lambda runtime client (Python standard library only).

Run as a function's command: it loads the handler named by _HANDLER
("module.function", the module found in LAMBDA_TASK_ROOT) and then loops on the
Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, as Lambda's own runtimes do:
GET /invocation/next, call handler(event, context), POST /response or /error.
Anything the handler prints goes to the function's log.
"""
import importlib
import json
import os
import sys
import time
import traceback
import urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"


def post(path, body, headers=None):
    req = urllib.request.Request(API + path, data=json.dumps(body).encode(), method="POST",
                                 headers=headers or {})
    urllib.request.urlopen(req).read()


def error_document(exc):
    return {"errorMessage": str(exc), "errorType": type(exc).__name__,
            "stackTrace": traceback.format_exception(exc)}


class Context:
    def __init__(self, headers):
        self.aws_request_id = headers["Lambda-Runtime-Aws-Request-Id"]
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn", "")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def main():
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", "."))
    try:
        module_name, function_name = os.environ["_HANDLER"].rsplit(".", 1)
        handler = getattr(importlib.import_module(module_name), function_name)
    except Exception as exc:  # the handler cannot be loaded: tell Lambda and stop
        post("/init/error", error_document(exc),
             {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"})
        sys.exit(1)
    while True:
        with urllib.request.urlopen(API + "/invocation/next") as resp:
            headers = resp.headers
            event = json.loads(resp.read() or b"null")
        context = Context(headers)
        try:
            result = handler(event, context)
        except Exception as exc:
            sys.stdout.flush()  # the handler's output belongs before END in the log
            post(f"/invocation/{context.aws_request_id}/error", error_document(exc),
                 {"Lambda-Runtime-Function-Error-Type": "Unhandled"})
            continue
        sys.stdout.flush()
        post(f"/invocation/{context.aws_request_id}/response", result)


if __name__ == "__main__":
    main()
