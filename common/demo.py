"""Extension point of `python manage.py demo`: every module adds its demo records here.

    from common.demo import demo_step

    @demo_step(order=20)
    def hazards(ctx):
        # ctx.rng: random.Random with the fixed seed; ctx.size: "small" | "mine" | "group"
        # ctx.mines: list of mine OrgNodes; ctx.today: date; ctx.accounts: {role: User}
        # ctx.log(msg) prints progress. Must be fast at "group" size (bulk_create).
        ...

Steps run in ``order`` after the organisations, people and accounts exist, inside the same
idempotent run (a second `demo` of the same size does nothing).
"""

_steps = []


def demo_step(order=100):
    def decorator(fn):
        if all(existing is not fn for _, existing in _steps):
            _steps.append((order, fn))
        return fn

    return decorator


def steps():
    return [fn for _, fn in sorted(_steps, key=lambda item: item[0])]
