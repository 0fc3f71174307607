"""The pages as scripts (st.Page runs a file each time it is shown, and AppTest can switch
to a file page); each one only calls its module's render()."""
