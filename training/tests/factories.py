"""Knowledge points and questions for the training tests."""

from training.bank import save_question, validate_question
from training.models import KnowledgePoint


def make_point(code, name, jobs=(), high_risk=False, questions=3, order=0):
    point = KnowledgePoint.objects.create(code=code, name=name, high_risk=high_risk, order=order)
    point.job_types.set(jobs)
    for i in range(questions):
        fields = validate_question(
            {
                "type": "single",
                "stem": f"{name}题{i}",
                "options": ["甲", "乙", "丙"],
                "answer": "B",
                "explanation": f"{name}解析{i}",
            }
        )
        save_question(f"{code}-{i}", point, fields)
    return point
