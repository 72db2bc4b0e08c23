"""Home: the lesson map, a 45-minute class plan, and how to use the playground."""

import streamlit as st

from components.i18n import t
from components.lessons import LESSONS, SECTIONS, class_plan
from components.page_setup import setup_page
from components.share import share_ui

setup_page()
st.title(t("home.title"))
st.markdown(t("home.tagline"))

for section in SECTIONS:
    lessons = [lesson for lesson in LESSONS if lesson.section == section]
    if not lessons:
        continue
    st.subheader(t(f"section.{section}"))
    columns = st.columns(3)
    for index, lesson in enumerate(lessons):
        with columns[index % 3].container(border=True):
            st.markdown(f"#### {t(f'lesson.{lesson.key}.title')}")
            st.markdown(t(f"lesson.{lesson.key}.summary"))
            st.page_link(lesson.script, label=t("home.open_lesson"),
                         icon=":material/arrow_forward:")

st.subheader(t("home.plan_header"))
st.caption(t("home.plan_caption"))
for start, end, text in class_plan():
    st.markdown(f"- {t('home.minutes', start=start, end=end)} {text}")

st.subheader(t("home.howto_header"))
st.markdown(t("home.howto"))
share_ui()
