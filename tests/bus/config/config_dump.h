// Test helper for tests/bus/config: a Config as text, one fact per line and
// everything but source locations, so that two forms of the same declarations
// (YAML and JSON, simple form and CloudFormation) can be compared whole.
#pragma once

#include <optional>
#include <sstream>
#include <string>

#include "bus/config/config.h"

namespace busbar::config::testing {

inline const char* KindName(TargetKind kind) {
  switch (kind) {
    case TargetKind::kQueue:
      return "queue";
    case TargetKind::kFunction:
      return "function";
    case TargetKind::kEventBus:
      return "event-bus";
    case TargetKind::kApiDestination:
      return "api-destination";
  }
  return "?";
}

inline const char* KindName(targets::DestinationKind kind) {
  switch (kind) {
    case targets::DestinationKind::kQueue:
      return "queue";
    case targets::DestinationKind::kFunction:
      return "function";
    case targets::DestinationKind::kEventBus:
      return "event-bus";
  }
  return "?";
}

// Everything in a Config but the source locations, one fact per line.
inline std::string Dump(const Config& c) {
  std::ostringstream out;
  for (const EventBus& b : c.buses) out << "bus " << b.name << " " << b.arn << "\n";
  for (const Queue& q : c.queues) {
    out << "queue " << q.name << " " << q.arn << " vis=" << q.visibility_timeout_s
        << " ret=" << q.message_retention_period_s << " wait=" << q.receive_wait_time_s;
    if (q.redrive_policy) {
      out << " redrive=" << q.redrive_policy->dead_letter_target_arn << "/"
          << q.redrive_policy->dead_letter_queue_name << "/" << q.redrive_policy->max_receive_count;
    }
    out << "\n";
  }
  for (const Rule& r : c.rules) {
    out << "rule " << r.name << " bus=" << r.event_bus_name << " " << r.arn
        << " state=" << (r.state == RuleState::kEnabled ? "ENABLED" : "DISABLED")
        << " desc=" << r.description << " pattern=" << r.event_pattern << "\n";
    for (const Target& t : r.targets) {
      out << "  target " << t.id << " " << t.arn << " " << KindName(t.kind) << ":"
          << t.resource_name << " retry=" << t.retry_policy.maximum_retry_attempts << "/"
          << t.retry_policy.maximum_event_age_in_seconds;
      if (t.input) out << " input=" << *t.input;
      if (t.input_path) out << " input_path=" << *t.input_path;
      if (t.input_transformer) {
        out << " template=" << t.input_transformer->input_template;
        for (const auto& [k, v] : t.input_transformer->input_paths_map) out << " " << k << "=" << v;
      }
      if (t.dead_letter_config) {
        out << " dlq=" << t.dead_letter_config->arn << "/" << t.dead_letter_config->queue_name;
      }
      if (t.http_parameters) {
        out << " path=";
        for (const std::string& v : t.http_parameters->path_parameter_values) out << v << ",";
        for (const auto& [k, v] : t.http_parameters->header_parameters) {
          out << " header " << k << "=" << v;
        }
        for (const auto& [k, v] : t.http_parameters->query_string_parameters) {
          out << " query " << k << "=" << v;
        }
      }
      out << "\n";
    }
  }
  auto destination = [&out](const char* which,
                            const std::optional<targets::FunctionDestination>& d) {
    if (d)
      out << " " << which << "=" << d->arn << "/" << KindName(d->kind) << ":" << d->resource_name;
  };
  for (const Declared<targets::Function>& declared : c.functions) {
    const targets::Function& f = declared.value;
    out << "function " << f.name << " " << f.arn << " dir=" << f.code_directory
        << " handler=" << f.handler << " desc=" << f.description << " timeout=" << f.timeout_s
        << " memory=" << f.memory_size_mb
        << " reserved=" << f.reserved_concurrent_executions.value_or(-1)
        << " retry=" << f.invoke_config.maximum_retry_attempts
        << " age=" << f.invoke_config.maximum_event_age_in_seconds << " argv=";
    for (const std::string& a : f.command) out << a << ",";
    for (const auto& [k, v] : f.environment) out << " env " << k << "=" << v;
    destination("success", f.invoke_config.on_success);
    destination("failure", f.invoke_config.on_failure);
    out << "\n";
  }
  for (const auto& [k, location] : c.connections) {
    const targets::ConnectionHttpParameters& http = k.invocation_http_parameters;
    out << "connection " << k.name << " " << targets::AuthorizationTypeName(k.authorization_type)
        << " " << k.arn << " desc=" << k.description << " " << k.basic.username << ":"
        << k.basic.password << " " << k.api_key.name << ":" << k.api_key.value;
    for (const auto* list :
         {&http.header_parameters, &http.query_string_parameters, &http.body_parameters}) {
      for (const targets::ConnectionParameter& p : *list) {
        out << " " << p.key << "=" << p.value << (p.is_value_secret ? "(secret)" : "");
      }
      out << " |";
    }
    out << "\n";
  }
  for (const auto& [d, location] : c.api_destinations) {
    out << "api-destination " << d.name << " " << d.arn << " desc=" << d.description << " "
        << d.connection_name << " " << d.http_method << " " << d.invocation_endpoint
        << " rate=" << d.invocation_rate_limit_per_second << "\n";
  }
  return out.str();
}

}  // namespace busbar::config::testing
