"""Example handler: logs each order it gets and answers with a summary."""


def handler(event, context):
    detail = event.get("detail", {}) if isinstance(event, dict) else {}
    print(f"order {detail.get('id')} for {detail.get('total')} (request {context.aws_request_id})")
    if detail.get("total", 0) < 0:
        raise ValueError("an order total cannot be negative")
    return {"notified": detail.get("id"), "function": context.function_name}
