from ui import bootstrap
bootstrap.require_entry()
import streamlit as st
st.title("brief")
