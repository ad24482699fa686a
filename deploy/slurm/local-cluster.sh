#!/usr/bin/env bash
# A one-node Slurm cluster on this host, for trying deploy/slurm/featurize.sbatch and for benches:
#   deploy/slurm/local-cluster.sh up     install slurm-wlm + munge when missing (Debian, apt-get, needs root),
#                                        write slurm.conf, start munged, slurmctld and slurmd, wait for sinfo idle
#   deploy/slurm/local-cluster.sh down   stop what `up` started, and only that
# Everything lives in its own state dir (PIPELINE_SLURM_DIR, default /var/tmp/pipeline-slurm): the config,
# the controller's state, the spool, the logs, the pid files and started.list, the record of what `up`
# started or created, which `down` reads, so a munged or a /etc/slurm/slurm.conf that was there before is
# left alone. The clients (sbatch, sinfo, squeue) find the config through SLURM_CONF, which `up` prints;
# when /etc/slurm/slurm.conf does not exist, `up` also links it there so plain `sbatch` works.
# No accounting (accounting_storage/none), no cgroups (proctrack/linuxproc, task/none): it runs in a
# container without systemd as well.
set -euo pipefail

state=${PIPELINE_SLURM_DIR:-/var/tmp/pipeline-slurm}
conf=$state/slurm.conf
started=$state/started.list
node=$(hostname -s)

say() { echo "local-cluster: $*" >&2; }
die() { say "$*"; exit 1; }

munge_works() { command -v munge >/dev/null && munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

install_packages() {
  local missing=()
  command -v slurmctld >/dev/null || missing+=(slurmctld)
  command -v slurmd >/dev/null || missing+=(slurmd)
  command -v sbatch >/dev/null || missing+=(slurm-client)
  command -v munged >/dev/null || missing+=(munge)
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" -eq 0 ] || die "needs root to install ${missing[*]} (or install them first)"
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  }
}

start_munge() {
  if munge_works; then
    say "munged already running; left as it is"
    return
  fi
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key; else
      dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none; fi
    echo "file /etc/munge/munge.key" >>"$started"
  fi
  # munged refuses a key, socket or log directory that another user can write or that it does not own.
  chown munge:munge /etc/munge /etc/munge/munge.key && chmod 0700 /etc/munge && chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge && chmod 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  pid=$(cat /run/munge/munged.pid)
  echo "pid $pid munged" >>"$started"
  for _ in $(seq 50); do munge_works && return; sleep 0.1; done
  die "munged started (pid $pid) but munge -n | unmunge fails"
}

write_conf() {
  # RealMemory a little under MemTotal: slurmd drains a node that reports less memory than configured.
  local cpus mem
  cpus=$(nproc)
  mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.95 }' /proc/meminfo)
  mkdir -p "$state/ctld" "$state/spool" "$state/log"
  cat >"$conf" <<EOF
# Written by deploy/slurm/local-cluster.sh up: one node, $node, $cpus CPUs, $mem MiB.
ClusterName=pipeline-local
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MaxArraySize=10001
# Without a default, a job that names no --mem is given the whole node and array tasks run one at a time.
DefMemPerCPU=$((mem / cpus))
NodeName=$node CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  if [ ! -e /etc/slurm/slurm.conf ]; then
    mkdir -p /etc/slurm
    ln -s "$conf" /etc/slurm/slurm.conf
    echo "link /etc/slurm/slurm.conf" >>"$started"
  fi
}

start_daemon() {
  local name=$1 pidfile=$2
  "/usr/sbin/$name" -f "$conf"
  for _ in $(seq 100); do [ -s "$pidfile" ] && break; sleep 0.1; done
  [ -s "$pidfile" ] || die "$name did not start; see $state/log/$name.log"
  echo "pid $(cat "$pidfile") $name" >>"$started"
}

up() {
  [ -s "$started" ] && die "already up (see $started); run down first"
  install_packages
  mkdir -p "$state"
  : >"$started"
  start_munge
  write_conf
  start_daemon slurmctld "$state/slurmctld.pid"
  start_daemon slurmd "$state/slurmd.pid"
  export SLURM_CONF=$conf
  local deadline=$((SECONDS + 60)) status=""
  while [ $SECONDS -lt $deadline ]; do
    status=$(sinfo -h -n "$node" -o '%T' 2>/dev/null || true)
    [ "$status" = idle ] && break
    sleep 0.5
  done
  [ "$status" = idle ] || die "node $node is '${status:-unknown}', not idle, after 60 s; see $state/log/"
  say "node $node idle ($(nproc) CPUs); export SLURM_CONF=$conf"
}

down() {
  [ -f "$started" ] || { say "nothing started (no $started)"; return; }
  # Undo in the reverse order of `up`: slurmd, slurmctld, munged, then the files.
  tac "$started" | while read -r kind what name; do
    case $kind in
      pid)
        if [ "$(cat "/proc/$what/comm" 2>/dev/null)" = "$name" ]; then
          kill "$what"
          for _ in $(seq 100); do kill -0 "$what" 2>/dev/null || break; sleep 0.1; done
          say "stopped $name ($what)"
        fi ;;
      link) [ -L "$what" ] && rm -f "$what" ;;
      file) ;; # the munge key stays: removing it would only make the next `up` create another
    esac
  done
  rm -f "$started"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
