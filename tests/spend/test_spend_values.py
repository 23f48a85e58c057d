"""How property values are read: numbers, numeric text, grouping keys and tool lists."""

from tests.spend.helpers import PRODUCT, ai_event, capture_for, get_spend


def spend(client, world, **params) -> dict:
    response = get_spend(client, world.k_all, **params)
    assert response.status_code == 200, response.content
    return response.json()


def tool_rows(client, world) -> list[tuple]:
    return [
        (row["tool"], row["generation_count"], row["cost_usd"])
        for row in spend(client, world)["by_tool"]["items"]
    ]


def test_numbers_and_numeric_text_count_anything_else_is_ignored(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost="1.25", input_tokens="10"),
        ai_event(cost=" 2e-1 ", input_tokens=30),
        ai_event(cost="lots", input_tokens="many"),
        ai_event(cost=True, input_tokens=None),
        ai_event(cost={"usd": 5}),
        ai_event(cost=3),
    )
    result = spend(client, world)
    assert result["summary"]["total_cost_usd"] == 4.45
    assert result["summary"]["event_count"] == 6
    assert result["by_model"]["items"] == [
        {"model": None, "generation_count": 6, "cost_usd": 4.45, "input_tokens": 40, "output_tokens": 0}
    ]


def test_costs_are_rounded_to_six_places_half_even(client, world):
    capture_for(world.team, world.user.email, ai_event(cost=0.0000125), ai_event(cost=0.1234564))
    assert spend(client, world)["summary"]["total_cost_usd"] == round(0.0000125 + 0.1234564, 6)


def test_token_sums_keep_the_integer_part(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(model="m", input_tokens=1.7, output_tokens=2.6),
        ai_event(model="m", input_tokens=1.7),
    )
    (row,) = spend(client, world)["by_model"]["items"]
    assert (row["input_tokens"], row["output_tokens"]) == (3, 2)


def test_average_input_tokens_rounds_and_skips_non_numbers(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(tools="t", input_tokens=10),
        ai_event(tools="t", input_tokens=15),
        ai_event(tools="t", input_tokens="n/a"),
    )
    (row,) = spend(client, world)["by_tool"]["items"]
    assert (row["generation_count"], row["avg_input_tokens"]) == (3, 12.0)


def test_tool_lists_split_on_commas_without_trimming(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost=1.0, tools="Bash,,Read"),
        ai_event(cost=2.0, tools="Bash,Bash"),
        ai_event(cost=4.0, tools=" Read"),
        ai_event(cost=8.0, tools=""),
        ai_event(event="$ai_embedding", cost=16.0, tools="Embedder"),
    )
    assert tool_rows(client, world) == [(None, 2, 9.0), ("Bash", 3, 5.0), (" Read", 1, 4.0), ("Read", 1, 1.0)]


def test_grouping_keys_are_text(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost=1.0, product=None, model="m"),
        ai_event(cost=2.0, product=7),
        ai_event(cost=3.0, product=True),
    )
    products = {row["product"]: row["cost_usd"] for row in spend(client, world)["by_product"]["items"]}
    assert products == {"true": 3.0, "7": 2.0, None: 1.0}


def test_breakdowns_order_by_cost_then_count(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost=1.0, model="one"),
        ai_event(cost=0.5, model="two"),
        ai_event(cost=0.5, model="two"),
        ai_event(cost=2.0, model="three"),
        ai_event(model="free"),
    )
    models = [row["model"] for row in spend(client, world)["by_model"]["items"]]
    assert models == ["three", "two", "one", "free"]


def test_only_the_requested_product_is_scoped(client, world, settings):
    settings.SPEND_PRODUCTS = ["posthog_code", "background_agents"]
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost=1.0, model="a"),
        ai_event(cost=2.0, product="background_agents", model="b"),
    )
    result = spend(client, world, product="background_agents")
    assert result["summary"]["product"] == "background_agents"
    assert (result["summary"]["scoped_cost_usd"], result["summary"]["total_cost_usd"]) == (2.0, 3.0)
    assert [row["model"] for row in result["by_model"]["items"]] == ["b"]
    response = get_spend(client, world.k_all, product="other")
    assert response.json()["detail"] == (
        "product `other` is not supported. Supported products: background_agents, posthog_code."
    )
    assert spend(client, world)["summary"]["product"] == PRODUCT
