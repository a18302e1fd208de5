"""Account-link records (landing `accounts/`) and the ground truth (`_truth/`)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from . import config as C
from .corruption import WRONG_TYPE_FIELD
from .delivery import NetworkStats
from .ids import account_ids
from .population import Population
from schemas.ontology import Ontology
from .writer import part_path, write_lines


def profile_id(entity: int) -> str:
    return f"p{entity:07d}"


def account_index(pop: Population) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """CSR over entities of (network, account_id-as-string), in network order."""
    ent, acc = [], []
    for net in C.NETWORKS:
        e = pop.account_entity[net]
        ent.append(e)
        acc.extend((net, str(a)) for a in account_ids(net, np.arange(len(e))))
    ent = np.concatenate(ent)
    order = np.argsort(ent, kind="stable")
    start = np.concatenate([[0], np.cumsum(np.bincount(ent, minlength=pop.n_entities))])
    return start, [acc[i] for i in order.tolist()]


def write_accounts(pop: Population, root: Path, start_date: dt.date, index) -> dict:
    """Link records on each profile's registration day, opt-outs on later days.
    (Templates, not json: ids and dates are plain ASCII, and there are millions of lines.)"""
    start, accounts = index
    dates = [(start_date + dt.timedelta(days=d)).isoformat() for d in range(pop.days)]
    per_day: list[list[bytes]] = [[] for _ in range(pop.days)]
    bounds = start.tolist()
    for e, day in enumerate(pop.reg_day[:pop.n_profiles].tolist()):
        pid, at, lines = profile_id(e), dates[day], per_day[day]
        for net, acc in accounts[bounds[e]:bounds[e + 1]]:
            lines.append(f'{{"record":"link","profile_id":"{pid}","network":"{net}",'
                         f'"account_id":"{acc}","at":"{at}"}}'.encode())
    n_links = sum(len(x) for x in per_day)
    opted = np.flatnonzero(pop.opt_out_day >= 0)
    for e in opted.tolist():
        day = int(pop.opt_out_day[e])
        per_day[day].append(f'{{"record":"opt_out","profile_id":"{profile_id(e)}","at":"{dates[day]}"}}'.encode())
    for day, lines in enumerate(per_day):   # a file every day, empty or not: uniform layout
        write_lines(part_path(root, "accounts", dates[day]), lines)
    return {"link": n_links, "opt_out": len(opted), "lines_written": n_links + len(opted)}


def _entity_lines(pop, onto, accounts, bounds, authored, followers, first, stop, extra):
    """Truth rows as JSON lines; `extra(e)` appends the fields only profiles have."""
    personas = [f'"persona":"{p}"' for p in C.PERSONAS]
    slugs = onto.slugs
    cols = zip(range(first, stop), pop.persona[first:stop].tolist(), pop.influence[first:stop].tolist(),
               followers[first:stop].tolist(), authored[first:stop].tolist(),
               pop.n_topics[first:stop].tolist(), pop.community[first:stop].tolist(),
               pop.group[first:stop].tolist())
    for e, persona, infl, fol, vol, k, comm, group in cols:
        pid, tail = extra(e)
        accs = ",".join(f'{{"network":"{n}","account_id":"{a}"}}' for n, a in accounts[bounds[e]:bounds[e + 1]])
        topics = ",".join(f'"{slugs[t]}"' for t in pop.topics[e, :k].tolist())
        yield (f'{{"profile_id":{pid},{personas[persona]},"true_influence":{round(infl, 6)!r},'
               f'"follower_count":{fol},"activity_volume":{vol},"accounts":[{accs}],'
               f'"topics":[{topics}],"community":{comm},"group":{group if group >= 0 else "null"}'
               f'{tail}}}').encode()


def write_truth(pop: Population, onto: Ontology, root: Path, stats: dict[str, NetworkStats],
                accounts_summary: dict, params: dict, start_date: dt.date, index) -> dict:
    """Per-profile truth (profiles.jsonl.gz), public-only accounts' truth and the summary."""
    start, accounts = index
    authored = np.zeros(pop.n_entities, np.int64)
    for net, st in stats.items():
        authored += np.bincount(pop.account_entity[net], weights=st.authored,
                                minlength=pop.n_entities).astype(np.int64)
    followers = pop.followers()
    truth = root / "_truth"
    bounds = start.tolist()
    dates = [(start_date + dt.timedelta(days=d)).isoformat() for d in range(pop.days)]
    reg_day, opted = pop.reg_day.tolist(), (pop.opt_out_day >= 0).tolist()

    def profile_extra(e):
        return (f'"{profile_id(e)}"', f',"opted_out":{"true" if opted[e] else "false"},'
                                      f'"registered_on":"{dates[reg_day[e]]}"')

    write_lines(truth / "profiles.jsonl.gz",
                list(_entity_lines(pop, onto, accounts, bounds, authored, followers, 0,
                                   pop.n_profiles, profile_extra)))
    write_lines(truth / "public_accounts.jsonl.gz",
                list(_entity_lines(pop, onto, accounts, bounds, authored, followers, pop.n_profiles,
                                   pop.n_entities, lambda e: ("null", ""))))

    nets = list(C.NETWORKS)
    summary = {
        "generator_version": C.GENERATOR_VERSION,
        "topics_version": onto.version,
        "params": params,
        "networks": nets,
        "personas": {name: int((pop.persona[:pop.n_profiles] == code).sum())
                     for code, name in enumerate(C.PERSONAS)},
        "profiles": pop.n_profiles,
        "accounts": {n: int(len(pop.account_entity[n])) for n in nets},
        "public_only_accounts": {n: int((pop.account_entity[n] >= pop.n_profiles).sum()) for n in nets},
        "opted_out": int((pop.opt_out_day >= 0).sum()),
        "account_records": accounts_summary,
        "lines_written": {n: stats[n].lines_written for n in nets},
        "events_valid": {n: stats[n].events_valid for n in nets},
        "duplicates": {n: stats[n].duplicates for n in nets},
        "late_events": {n: stats[n].late_events for n in nets},
        "bad_records": {k: {n: stats[n].bad[k] for n in nets} for k in C.BAD_KINDS},
        "expected_reason": dict(C.EXPECTED_REASON),
        "wrong_type_field": dict(WRONG_TYPE_FIELD),
        "events_by_type": {n: {t: int(c) for t, c in zip(C.EVENT_TYPES, stats[n].by_type.tolist()) if c}
                           for n in nets},
        # open networks: retraction events written (each counted in events_by_type too), those
        # naming a record never created, and the retracted records by type
        "retractions": {n: stats[n].retractions for n in nets},
        "retractions_of_unseen": {n: stats[n].retractions_of_unseen for n in nets},
        "retracted_by_type": {n: {t: int(c) for t, c in zip(C.EVENT_TYPES, stats[n].retracted.tolist()) if c}
                              for n in nets},
    }
    (truth / "truth.json").write_text(json.dumps(summary, indent=2, sort_keys=False) + "\n")
    return summary
