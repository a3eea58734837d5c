#!/usr/bin/env bash
# A three-node Herald cluster on this machine, in one command: PostgreSQL (a throwaway cluster in
# .cluster/), three standalone servers on it (127.0.0.1:5081-5083) and nginx in front of them on
# http://127.0.0.1:5080, with WebSocket, Socket.IO (long-polling kept on its node) and SSE.
# Installs postgresql and nginx from Debian packages when missing. Ctrl+C stops everything.
#   bash scripts/cluster.sh              # build, start, print the addresses and a token, wait
#   HERALD_CLUSTER_DIR=/tmp/c bash scripts/cluster.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir=${HERALD_CLUSTER_DIR:-$root/.cluster}
pg_port=${HERALD_CLUSTER_PG_PORT:-5433}
front=${HERALD_CLUSTER_PORT:-5080}
SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo "sudo")

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} from Debian packages"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping the cluster"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  [ -f "$dir/nginx/nginx.pid" ] && kill "$(cat "$dir/nginx/nginx.pid")" 2>/dev/null || true
  as_pg "$pg_bin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true
}
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
trap stop INT TERM EXIT

echo "Building the server (Release)"
dotnet build src/Herald.Server -c Release -v quiet -nologo >/dev/null
server_dll=$root/src/Herald.Server/bin/Release/net10.0/Herald.Server.dll

mkdir -p "$dir/nginx" "$dir/logs"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir" "$dir/logs"
if [ ! -f "$dir/pg/PG_VERSION" ]; then
  echo "Creating a PostgreSQL cluster in $dir/pg"
  as_pg "$pg_bin/initdb" -D "$dir/pg" -U herald -A trust -E UTF8 --locale=C >/dev/null
fi
as_pg "$pg_bin/pg_ctl" -D "$dir/pg" -l "$dir/logs/postgres.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $dir -c max_connections=300" start >/dev/null
"$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U herald -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'herald'" | grep -q 1 \
  || "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U herald -d postgres -qc "CREATE DATABASE herald"
echo "PostgreSQL on 127.0.0.1:$pg_port, database herald"

# One secret and one admin key for the whole cluster, kept across runs.
[ -f "$dir/secret" ] || head -c 32 /dev/urandom | base64 | tr -d '\n=' > "$dir/secret"
[ -f "$dir/apikey" ] || { printf 'hk_'; head -c 24 /dev/urandom | base64 | tr -d '\n=/+'; } > "$dir/apikey"
secret=$(cat "$dir/secret"); apikey=$(cat "$dir/apikey")

for i in 1 2 3; do
  Herald__NodeName=node$i \
  Herald__Storage__Provider=Postgres \
  Herald__Storage__PostgresConnectionString="Host=127.0.0.1;Port=$pg_port;Database=herald;Username=herald;Maximum Pool Size=40" \
  Herald__Auth__JwtSecret="$secret" \
  Herald__Auth__ApiKeys__0__Name=cluster-admin \
  Herald__Auth__ApiKeys__0__Key="$apikey" \
  Herald__Auth__ApiKeys__0__Scopes__0=admin \
  Herald__AllowedOrigins__0="http://127.0.0.1:$front" \
  dotnet "$server_dll" --urls "http://127.0.0.1:$((5080 + i))" > "$dir/logs/node$i.log" 2>&1 &
  pids+=($!)
done

cat > "$dir/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/logs/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  # Socket.IO: a session id starts with the name of the node that holds it, so its polling
  # requests and its upgrade go there; a new session (no sid) goes to any node.
  map \$arg_sid \$socketio_upstream {
    ~^node1\\. node1;
    ~^node2\\. node2;
    ~^node3\\. node3;
    default herald;
  }
  upstream herald { least_conn; server 127.0.0.1:5081; server 127.0.0.1:5082; server 127.0.0.1:5083; }
  upstream node1 { server 127.0.0.1:5081; }
  upstream node2 { server 127.0.0.1:5082; }
  upstream node3 { server 127.0.0.1:5083; }
  server {
    listen 127.0.0.1:$front;
    proxy_http_version 1.1;
    proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_set_header Upgrade \$http_upgrade;
    proxy_set_header Connection \$connection_upgrade;
    proxy_read_timeout 1h;
    proxy_send_timeout 1h;
    location /socket.io/ { proxy_pass http://\$socketio_upstream; }
    # Server-Sent Events: no buffering, so each event leaves at once.
    location /sse { proxy_pass http://herald; proxy_buffering off; }
    location / { proxy_pass http://herald; }
  }
}
NGINX
"$nginx_bin" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -g "daemon off;" &
pids+=($!)

for i in 1 2 3; do
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$((5080 + i))/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$((5080 + i))/ready" >/dev/null || { echo "node$i did not start; see $dir/logs/node$i.log"; exit 1; }
done

token=$(python3 - "$secret" <<'PY'
import base64, hashlib, hmac, json, sys, time
b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
head = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b(json.dumps({"sub": "u_1", "org": "acme", "exp": int(time.time()) + 86400}).encode())
print(head + "." + b(hmac.new(sys.argv[1].encode(), head.encode(), hashlib.sha256).digest()))
PY
)
cat <<INFO

Herald cluster ready: three nodes on one PostgreSQL, behind nginx.
  front (nginx)   http://127.0.0.1:$front      ws://127.0.0.1:$front/ws   /socket.io/   /sse
  nodes           http://127.0.0.1:5081  :5082  :5083   (node1, node2, node3)
  PostgreSQL      Host=127.0.0.1;Port=$pg_port;Database=herald;Username=herald
  admin API key   $apikey
  a user token    $token   (sub u_1, org acme, 24 h)
  logs            $dir/logs/

Try:  curl -s -H "X-API-Key: $apikey" http://127.0.0.1:$front/api/stats
      curl -s -X POST -H "X-API-Key: $apikey" -H 'Content-Type: application/json' \\
           -d '{"channel":"build:acme/b1","type":"build.step","data":{"step":1}}' http://127.0.0.1:5081/api/publish

Ctrl+C stops the cluster (the data stays in $dir; delete it to start afresh).
INFO
wait -n "${pids[@]}"
echo "A process of the cluster exited; see $dir/logs/"
