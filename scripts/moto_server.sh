# Sourced by scripts/demo.sh: start_moto DIR starts a moto server on a free port of
# 127.0.0.1 (its log in DIR), exports credentials that reach nothing else and sets
# moto_url; stop_moto stops it and unsets them. A failing expect stops it too (trap).
start_moto() {
  local port
  port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  moto_url="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_DEFAULT_REGION=eu-west-1
  export AWS_CONFIG_FILE="$1/none" AWS_SHARED_CREDENTIALS_FILE="$1/none"
  python -m moto.server -H 127.0.0.1 -p "$port" >"$1/moto.log" 2>&1 &
  moto_server=$!
  trap 'kill "$moto_server" 2>/dev/null' EXIT
}
stop_moto() {
  kill "$moto_server"
  wait "$moto_server" 2>/dev/null
  trap - EXIT
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
}
