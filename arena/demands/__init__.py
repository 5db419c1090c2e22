"""Sponsors' technical demands (企业出题, 能者破题): filing, review, publication, responses, selection and deals."""

from arena.demands.access import (
    acts_for,
    has_site_role,
    is_reviewer,
    is_sponsor_of,
    may_read_details,
    may_see,
    organizations_of,
    visible_demand,
)
from arena.demands.conversion import demand_of_challenge, link_challenge, to_challenge
from arena.demands.deals import (
    add_milestone,
    complete_milestone,
    deals_brokered_by,
    deals_of_demand,
    milestones,
    record_deal,
)
from arena.demands.filing import Saved, add_attachment, save_draft, store_attachment, submit_demand, withdraw_demand
from arena.demands.lifecycle import history
from arena.demands.listing import DemandQuery, search
from arena.demands.matching import inbox, push_matches
from arena.demands.organizations import add_member, create_organization, grant_site_role, save_profile
from arena.demands.questions import post_message, thread
from arena.demands.response_files import (
    add_response_attachment,
    readable_response,
    response_attachment,
    response_attachments,
)
from arena.demands.responses import (
    ComparedResponse,
    accept_terms,
    close_responses,
    compare,
    own_responses,
    save_response,
    select_responses,
    shortlist,
    submit_response,
    withdraw_response,
)
from arena.demands.review import (
    approve,
    close_overdue,
    publish,
    reject,
    request_changes,
    review_queue,
    reviews,
    start_review,
)
from arena.demands.rollups import rebuild as rebuild_rollups
from arena.demands.statistics import FIGURES, Grouping, Period, StatRow, Window, statistics, totals
from arena.demands.vocabulary import CHECKLIST, FIELDS

__all__ = [
    "CHECKLIST",
    "ComparedResponse",
    "DemandQuery",
    "FIELDS",
    "FIGURES",
    "Grouping",
    "Period",
    "Saved",
    "StatRow",
    "Window",
    "accept_terms",
    "acts_for",
    "add_attachment",
    "add_response_attachment",
    "add_member",
    "add_milestone",
    "approve",
    "close_overdue",
    "close_responses",
    "compare",
    "complete_milestone",
    "create_organization",
    "deals_brokered_by",
    "deals_of_demand",
    "demand_of_challenge",
    "grant_site_role",
    "has_site_role",
    "history",
    "inbox",
    "is_reviewer",
    "is_sponsor_of",
    "link_challenge",
    "may_read_details",
    "may_see",
    "milestones",
    "organizations_of",
    "own_responses",
    "post_message",
    "publish",
    "push_matches",
    "record_deal",
    "rebuild_rollups",
    "reject",
    "request_changes",
    "review_queue",
    "reviews",
    "save_draft",
    "save_profile",
    "save_response",
    "search",
    "select_responses",
    "shortlist",
    "start_review",
    "statistics",
    "readable_response",
    "response_attachment",
    "response_attachments",
    "store_attachment",
    "submit_demand",
    "submit_response",
    "thread",
    "to_challenge",
    "totals",
    "visible_demand",
    "withdraw_demand",
    "withdraw_response",
]
